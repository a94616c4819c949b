using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Margin;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Accounts;

/// <summary>Re-margin and publication: the route through the margin book, the figures held, status changes, breaches and limits.</summary>
public sealed partial class AccountActor
{
    private void AfterChange(AccountDecision? decided = null, bool topicsKept = false)
    {
        if (!_state.IsOpen)
        {
            return;
        }

        Remargin(decided, reroute: true, topicsKept);
    }

    /// <summary>
    /// The figures the account holds now: those its partition's pass wrote for its current entry (the newest market the
    /// pass has seen), else its own.
    /// </summary>
    private MarginBookFigures? Figures =>
        (_version != 0 ? _slot!.FiguresFor(_version) : null) ?? _held;

    /// <summary>
    /// Decides how market moves reach the account. When its mode's calculator has a kernel and the kernel takes its
    /// holdings (no isolated position), the account keeps an entry in its shard's <see cref="MarginBook"/> partition and
    /// registers only its plain topics (for queries by underlying): the partition's <see cref="MarginPass"/> margins it and
    /// tells it only what changed. Otherwise it also registers its <see cref="SelfMarginTopic"/>s and re-margins itself on
    /// each <see cref="MarketChanged"/>.
    /// </summary>
    /// <param name="decided">The decision whose state this is, decided at the current market (its compiled holdings are reused), or null.</param>
    /// <param name="topicsKept">Whether the change left the held symbols and balance assets as they were (<see cref="AccountState.SameTopicShapeAs"/>).</param>
    private void Route(AccountDecision? decided, bool topicsKept = false)
    {
        var book = _settings.Book;
        var models = _routedWith = _settings.Models;
        var kernel = book is not null && models.Offers(_state.Mode) ? MarginBook.KernelFor(models.For(_state.Mode)) : null;
        var holdings = kernel is null ? null
            : decided?.HoldingsAfter is { } compiled && ReferenceEquals(decided.KernelAfter, kernel) ? compiled
            : kernel.Compile(_state.BalanceList, _state.PositionList, _state.OpenOrderList);
        if (holdings is null)
        {
            _slot?.Clear();
            _version = 0;
        }
        else
        {
            if (_slot is null)
            {
                (_partition, _slot) = book!.Join(_state.AccountId, Self);
            }

            _version = _slot.Write(new MarginBookEntry(_state.AccountId, kernel!, holdings, _held));
            _heldWritten = true;
        }

        UpdateInterest(selfMargined: holdings is null, topicsKept);
    }

    /// <summary>
    /// The topic under which an account that re-margins itself hears that <paramref name="name"/> (an underlying or an
    /// asset) moved: accounts the kernel margins register only the plain names, which queries of the accounts on an
    /// underlying (auto-deleveraging, the node's account lists) still use.
    /// </summary>
    internal static string SelfMarginTopic(string name) => "remargin:" + name;

    // The account re-margined itself (a mark the kernel could not compute): its entry must show the figures it now holds.
    private void RefreshEntry()
    {
        if (_version != 0 && !_heldWritten)
        {
            _version = _slot!.WriteHeld(_held);
            _heldWritten = true;
        }
    }

    /// <summary>
    /// Re-margins at <see cref="LatestMarket.Current"/>, writes the entry (a new route when <paramref name="reroute"/>),
    /// then publishes: the entry first, so that a pass publishing limits for the old entry sees it changed and has the
    /// account publish again (<see cref="PublishLimits"/>) rather than leave its older numbers the last ones out.
    /// </summary>
    /// <param name="decided">The decision whose state this is, decided at <see cref="LatestMarket.Current"/> (its figures and compiled holdings are reused), or null.</param>
    /// <param name="reroute">Whether to decide the route again (the holdings or the calculators changed).</param>
    /// <param name="topicsKept">Whether the change left the held symbols and balance assets as they were.</param>
    private void Remargin(AccountDecision? decided, bool reroute, bool topicsKept = false)
    {
        var published = Figures;
        var from = _held?.Status ?? MarginStatus.Healthy;
        var now = Assess(decided);
        if (reroute)
        {
            Route(decided, topicsKept);
        }
        else
        {
            RefreshEntry();
        }

        if (now is null)
        {
            return;
        }

        Announce(from, now.Value);
        if (!now.Value.SameLimitsAs(published))
        {
            Context.System.EventStream.Publish(now.Value.ToLimits(_state.AccountId));
        }
    }

    private MarginBookFigures? Assess(AccountDecision? decided)
    {
        if (!_state.IsOpen)
        {
            return null;
        }

        var market = _settings.Market.Current;
        try
        {
            _held = decided?.HeldAfter ?? MarginBookFigures.Of(_settings.Models.Figures(_state, market), SettlementPrices.For(market));
            _heldWritten = false;
            return _held;
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Context.Log.LogWarning(e, "Account {AccountId} could not be margined at the market of {ValuationTime}; keeping the last figures",
                _state.AccountId, market.ValuationTime);
            return null;
        }
    }

    // A status change is published once, from the status last published; a breach is reported on every re-margin.
    private void Announce(MarginStatus from, in MarginBookFigures now)
    {
        if (now.Status != from)
        {
            if (now.Status > from && !IsRecovering)
            {
                EngineMetrics.MarginStateEntered.Add(1, new KeyValuePair<string, object?>("state", now.Status.ToString()));
            }

            Context.System.EventStream.Publish(new AccountStatusChanged(_state.AccountId, from, now.Status, now.EquityUsd, now.InitialMarginUsd,
                now.MaintenanceMarginUsd, now.ValuationTime));
        }

        if (now.Status is MarginStatus.Liquidation or MarginStatus.Bankrupt)
        {
            _settings.BreachReports.Tell(new AccountBreached(_state.AccountId, now.Status, now.EquityUsd, now.InitialMarginUsd, now.MaintenanceMarginUsd,
                now.ValuationTime), Self);
        }
    }
}
