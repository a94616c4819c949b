using CrossMargin.Cluster.Sharding;
using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Accounts;

/// <summary>The topics the account registers with its shard, checked without allocating on nearly every change.</summary>
public sealed partial class AccountActor
{
    /// <summary>
    /// Tells the shard the account's topics when they changed: the underlyings, settlement and quote assets of its positions
    /// and orders, and the assets of its non-zero balances. Checked without allocating (nearly every change leaves them as they were),
    /// and not at all when <paramref name="topicsKept"/>: the change kept the symbols and assets the topics were last
    /// registered for, at the same market's instruments. (An instrument that left the market since then drops out of the
    /// topics at the account's next change of symbols or assets, not at its next fill: the cost of a check on every command
    /// was ~3% of an execution's CPU.)
    /// </summary>
    private void UpdateInterest(bool selfMargined, bool topicsKept = false)
    {
        var market = _settings.Market.Current;
        if (_topics.Length is > 0 and <= 64 && selfMargined == _selfMarginTopics && (topicsKept || SameTopics(market)))
        {
            return;
        }

        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var position in _state.PositionList)
        {
            AddInstrumentTopics(topics, market, position.Symbol);
        }

        foreach (var order in _state.OpenOrderList)
        {
            AddInstrumentTopics(topics, market, order.Symbol);
        }

        foreach (var balance in _state.BalanceList)
        {
            if (balance.Amount != 0)
            {
                topics.Add(balance.Asset);
            }
        }

        if (!topics.SequenceEqual(_topics, StringComparer.Ordinal) || selfMargined != _selfMarginTopics)
        {
            _topics = TopicSets.Default.Share(topics.ToArray());
            _selfMarginTopics = selfMargined;
            if (selfMargined)
            {
                topics.UnionWith(_topics.Select(SelfMarginTopic));
            }

            Context.Parent.Tell(new RegisterInterest(_state.AccountId, topics), Self);
        }
    }

    // Expired instruments count: until it is settled, a holding in one is margined at its underlying's index.
    private static void AddInstrumentTopics(SortedSet<string> topics, MarketSnapshot market, string symbol)
    {
        if (market.FindListedOrExpired(symbol) is { } instrument)
        {
            topics.Add(instrument.Underlying);
            topics.Add(instrument.SettlementAsset);

            // An inverse future's notional, so its requirement, is in its quote asset (USD), neither of the two above.
            topics.Add(instrument.QuoteAsset);
        }
    }

    // Whether the topics of the state are exactly _topics (at most 64 of them, one bit each).
    private bool SameTopics(MarketSnapshot market)
    {
        // Indexed loops: foreach over the lists' interface would allocate an enumerator each, on every command.
        var seen = 0UL;
        var positions = _state.PositionList;
        for (var i = 0; i < positions.Count; i++)
        {
            if (!MarkInstrumentTopics(ref seen, market, positions[i].Symbol))
            {
                return false;
            }
        }

        var orders = _state.OpenOrderList;
        for (var i = 0; i < orders.Count; i++)
        {
            if (!MarkInstrumentTopics(ref seen, market, orders[i].Symbol))
            {
                return false;
            }
        }

        var balances = _state.BalanceList;
        for (var i = 0; i < balances.Count; i++)
        {
            if (balances[i].Amount != 0 && !Mark(ref seen, balances[i].Asset))
            {
                return false;
            }
        }

        return System.Numerics.BitOperations.PopCount(seen) == _topics.Length;
    }

    private bool MarkInstrumentTopics(ref ulong seen, MarketSnapshot market, string symbol) =>
        market.FindListedOrExpired(symbol) is not { } instrument
        || (Mark(ref seen, instrument.Underlying) && Mark(ref seen, instrument.SettlementAsset) && Mark(ref seen, instrument.QuoteAsset));

    private bool Mark(ref ulong seen, string topic)
    {
        // Nearly always the very instance _topics holds (an instrument's underlying and settlement asset are the market's
        // strings, the same in every snapshot): a scan by reference of a handful of topics before the ordinal search, which
        // with the instrument lookups was ~3% of an execution's CPU on every command.
        var topics = _topics;
        for (var i = 0; i < topics.Length; i++)
        {
            if (ReferenceEquals(topics[i], topic))
            {
                seen |= 1UL << i;
                return true;
            }
        }

        var index = Array.BinarySearch(topics, topic, StringComparer.Ordinal);
        if (index < 0)
        {
            return false;
        }

        seen |= 1UL << index;
        return true;
    }
}
