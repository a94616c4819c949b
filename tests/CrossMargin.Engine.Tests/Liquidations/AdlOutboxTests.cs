using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Tests.Liquidations;

public sealed class AdlOutboxTests
{
    private readonly List<string> _sent = [];

    private AdlOutbox Outbox() => new((account, command) => _sent.Add($"{account}:{command.MessageId}"));

    [Fact]
    public void A_later_sequence_waits_behind_an_unanswered_side_and_follows_the_void_that_takes_its_place()
    {
        var outbox = Outbox();
        outbox.Send("acc-c", Side("a", 1), awaitsAnswer: true);
        outbox.Send("acc-c", Side("b", 2), awaitsAnswer: true);
        outbox.Send("acc-d", Side("c", 1), awaitsAnswer: true);

        Assert.Equal(["acc-c:a", "acc-d:c"], _sent);

        outbox.Send("acc-c", Void("a", 1), awaitsAnswer: false);

        Assert.Equal(["acc-c:a", "acc-d:c", "acc-c:a:void", "acc-c:b"], _sent);
    }

    [Fact]
    public void A_side_answered_as_applied_lets_the_next_go_and_a_copy_of_it_waiting_to_be_sent_again_is_dropped()
    {
        var outbox = Outbox();
        outbox.Send("acc-1", Side("s1", 1), awaitsAnswer: true);
        outbox.Send("acc-1", Side("s2", 2), awaitsAnswer: true);
        outbox.Send("acc-1", Side("s2", 2), awaitsAnswer: true);
        outbox.Send("acc-1", Side("s3", 3), awaitsAnswer: false);

        outbox.Answered("acc-1", 1);
        Assert.Equal(["acc-1:s1", "acc-1:s2"], _sent);

        outbox.Answered("acc-1", 2);
        Assert.Equal(["acc-1:s1", "acc-1:s2", "acc-1:s3"], _sent);
    }

    [Fact]
    public void A_side_sent_again_at_its_own_sequence_goes_at_once_and_still_holds_the_next_back()
    {
        var outbox = Outbox();
        outbox.Send("acc-1", Side("s1", 1), awaitsAnswer: true);
        outbox.Send("acc-1", Side("s2", 2), awaitsAnswer: true);

        outbox.Send("acc-1", Side("s1-forced", 1), awaitsAnswer: true);

        Assert.Equal(["acc-1:s1", "acc-1:s1-forced"], _sent);
        outbox.Answered("acc-1", 1);
        Assert.Equal(["acc-1:s1", "acc-1:s1-forced", "acc-1:s2"], _sent);
    }

    [Fact]
    public void What_is_sent_while_held_goes_on_release_in_sequence_order_for_each_account()
    {
        var outbox = Outbox();
        outbox.Hold();
        outbox.Send("acc-c", Side("b", 6), awaitsAnswer: false);
        outbox.Send("acc-c", Void("a", 5), awaitsAnswer: false);
        outbox.Send("acc-d", Side("c", 1), awaitsAnswer: false);
        Assert.Empty(_sent);

        outbox.Release();

        Assert.Equal(["acc-c:a:void", "acc-c:b", "acc-d:c"], _sent);
    }

    private static ApplyExecution Side(string id, long sequence) =>
        new(id, LiquidationCoordinator.AdlSource, sequence, id, id, "BTC-PERP", OrderSide.Buy, 1m, 59_000m, 0m, Liquidity.Taker, DateTimeOffset.UnixEpoch,
            IsLiquidation: true, ReducesPosition: -2m);

    private static VoidSequence Void(string id, long sequence) => new(id + ":void", LiquidationCoordinator.AdlSource, sequence, id);
}
