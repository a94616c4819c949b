using CrossMargin.Cluster.RabbitMq;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// A venue streaming deposits into a cluster: each account's deposits published to the accounts exchange in order, a
/// few accounts per stream, each publish waiting for the broker's confirm and retrying through an outage under the same
/// id (so a deposit may reach a queue twice, never zero times); and the ledger of what each account must end with.
/// </summary>
public sealed class VenueDeposits
{
    private readonly (string Account, int Sequence, decimal Amount)[][] _plan;
    private int _published;

    /// <summary>Plans <paramref name="perAccount"/> deposits for each of <paramref name="accounts"/>.</summary>
    public VenueDeposits(IReadOnlyList<string> accounts, int perAccount)
    {
        var ledger = accounts.ToDictionary(a => a, _ => 0m);
        var ids = accounts.ToDictionary(a => a, _ => (IReadOnlyCollection<string>)new List<string>());
        _plan = accounts.Select(account => Enumerable.Range(1, perAccount).Select(sequence =>
        {
            var amount = decimal.Round(sequence * 1.01m + account.Length * 0.07m, 2);
            ledger[account] += amount;
            ((List<string>)ids[account]).Add(TestCluster.DepositId(account, sequence));
            return (account, sequence, amount);
        }).ToArray()).ToArray();
        Ledger = ledger;
        Ids = ids;
        Total = accounts.Count * perAccount;
    }

    /// <summary>What each account's USDT balance must be once every deposit is applied once.</summary>
    public IReadOnlyDictionary<string, decimal> Ledger { get; }

    /// <summary>Each account's deposit ids.</summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> Ids { get; }

    /// <summary>Deposits planned.</summary>
    public int Total { get; }

    /// <summary>Deposits the broker has confirmed so far.</summary>
    public int Published => Volatile.Read(ref _published);

    /// <summary>Publishes every deposit over <paramref name="streams"/> concurrent streams, pausing <paramref name="pause"/> between publishes.</summary>
    public async Task RunAsync(RabbitMqOptions broker, int streams, TimeSpan pause)
    {
        await using var connection = await RabbitMqConnection.ConnectAsync(broker);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        await Task.WhenAll(Enumerable.Range(0, streams).Select(stream => Task.Run(async () =>
        {
            var mine = _plan.Where((_, a) => a % streams == stream).ToArray();
            for (var sequence = 0; sequence < mine[0].Length; sequence++)
            {
                foreach (var deposits in mine)
                {
                    var (account, number, amount) = deposits[sequence];
                    await publisher.PublishAsync(connection.Names.Accounts, account, TestCluster.Deposit(account, number, amount),
                        TestCluster.DepositId(account, number), "deposit");
                    Interlocked.Increment(ref _published);
                    await Task.Delay(pause);
                }
            }
        })));
    }
}
