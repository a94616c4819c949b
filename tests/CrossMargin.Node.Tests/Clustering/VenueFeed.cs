using System.Globalization;
using System.Text;
using System.Text.Json;
using CrossMargin.Cluster.RabbitMq;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// A venue streaming account messages into a cluster: each account's messages published to the accounts exchange in
/// order, a few accounts per stream, each publish waiting for the broker's confirm and retrying through an outage under
/// the same id (so a message may reach a queue twice, never zero times). The ledger of what the accounts must end with
/// is computed from the plan alone, independently of the engine.
/// </summary>
public sealed class VenueFeed
{
    private readonly (string Account, string MessageId, string Type, byte[] Body)[][] _plan;
    private int _published;

    private VenueFeed((string, string, string, byte[])[][] plan, IReadOnlyDictionary<string, IReadOnlyCollection<string>> ids)
    {
        _plan = plan;
        Ids = ids;
        Total = plan.Sum(p => p.Length);
    }

    /// <summary>Each account's message ids, in the order they are sent.</summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> Ids { get; }

    /// <summary>Messages planned.</summary>
    public int Total { get; }

    /// <summary>Messages the broker has confirmed so far.</summary>
    public int Published => Volatile.Read(ref _published);

    /// <summary>
    /// <paramref name="perAccount"/> deposits for each account (sequences 1..n, id <c>dep-{account}-{n}</c>), and in
    /// <paramref name="ledger"/> the USDT each account must end with.
    /// </summary>
    public static VenueFeed Deposits(IReadOnlyList<string> accounts, int perAccount, out IReadOnlyDictionary<string, decimal> ledger)
    {
        var sums = accounts.ToDictionary(a => a, _ => 0m);
        var plan = accounts.Select(account => Enumerable.Range(1, perAccount).Select(sequence =>
        {
            var amount = decimal.Round(sequence * 1.01m + account.Length * 0.07m, 2);
            sums[account] += amount;
            return (account, TestCluster.DepositId(account, sequence), "deposit", TestCluster.Deposit(account, sequence, amount));
        }).ToArray()).ToArray();
        ledger = sums;
        return new VenueFeed(plan, IdsOf(plan));
    }

    /// <summary>
    /// <paramref name="perAccount"/> BTC-PERP fills for each account, all at one price (so nothing is realised and the
    /// wallet moves by the fees alone), buys and sells of 1-3 contracts; in <paramref name="fees"/> each account's total
    /// fee and in <paramref name="positions"/> its net contracts.
    /// </summary>
    public static VenueFeed Executions(IReadOnlyList<string> accounts, int perAccount, out IReadOnlyDictionary<string, decimal> fees,
        out IReadOnlyDictionary<string, decimal> positions)
    {
        var feeSums = accounts.ToDictionary(a => a, _ => 0m);
        var net = accounts.ToDictionary(a => a, _ => 0m);
        var plan = accounts.Select(account => Enumerable.Range(1, perAccount).Select(sequence =>
        {
            var side = sequence % 3 == 0 ? "sell" : "buy";
            var quantity = 1 + (sequence % 3);
            var fee = decimal.Round(0.35m + sequence * 0.013m, 3);
            feeSums[account] += fee;
            net[account] += side == "buy" ? quantity : -quantity;
            var id = $"ex-{account}-{sequence.ToString(CultureInfo.InvariantCulture)}";
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                messageId = id, source = "me-1", sequence, accountId = account, executionId = id, orderId = "o-" + id, symbol = "BTC-PERP",
                side, quantity, price = 60000m, fee, liquidity = "taker", timestamp = DateTimeOffset.UtcNow, isLiquidation = false,
            }));
            return (account, id, "execution", body);
        }).ToArray()).ToArray();
        fees = feeSums;
        positions = net;
        return new VenueFeed(plan, IdsOf(plan));
    }

    /// <summary>Publishes every message over <paramref name="streams"/> concurrent streams, pausing <paramref name="pause"/> between publishes.</summary>
    public async Task RunAsync(RabbitMqOptions broker, int streams, TimeSpan pause)
    {
        await using var connection = await RabbitMqConnection.ConnectAsync(broker);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        await Task.WhenAll(Enumerable.Range(0, streams).Select(stream => Task.Run(async () =>
        {
            var mine = _plan.Where((_, a) => a % streams == stream).ToArray();
            for (var i = 0; i < mine.Max(m => m.Length); i++)
            {
                foreach (var (account, id, type, body) in mine.Where(m => i < m.Length).Select(m => m[i]))
                {
                    await publisher.PublishAsync(connection.Names.Accounts, account, body, id, type);
                    Interlocked.Increment(ref _published);
                    await Task.Delay(pause);
                }
            }
        })));
    }

    private static Dictionary<string, IReadOnlyCollection<string>> IdsOf((string Account, string MessageId, string, byte[])[][] plan) =>
        plan.Where(p => p.Length > 0).ToDictionary(p => p[0].Account, p => (IReadOnlyCollection<string>)p.Select(m => m.MessageId).ToArray(), StringComparer.Ordinal);
}
