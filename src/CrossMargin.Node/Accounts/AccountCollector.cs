using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Accounts;

/// <summary>
/// Broadcasts <see cref="GetAccount"/> to every live account of the region (by the topics accounts register: every
/// asset and underlying) and gathers the views until <paramref name="expected"/> answered or the answers stop coming.
/// </summary>
internal sealed class AccountCollector(IActorRef region, IReadOnlySet<string> topics, int expected, TaskCompletionSource<IReadOnlyList<AccountView>> done)
    : ActorBase
{
    // Accounts answer from memory; a gap this long after the last answer means the rest are not coming.
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private readonly List<AccountView> _views = [];

    protected override void PreStart()
    {
        region.Tell(new ShardBroadcast(GetAccount.Instance, topics), Self);
        if (expected == 0)
        {
            Finish();
            return;
        }

        Context.SetReceiveTimeout(Quiet);
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case AccountView view:
                _views.Add(view);
                if (_views.Count >= expected)
                {
                    Finish();
                }

                return true;
            case AccountNotOpen:
                return true;
            case ReceiveTimeout:
                Finish();
                return true;
            default:
                return false;
        }
    }

    private void Finish()
    {
        done.TrySetResult(_views.OrderBy(v => v.AccountId, StringComparer.Ordinal).ToArray());
        Context.Stop(Self);
    }
}
