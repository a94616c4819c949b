using System.Collections.Immutable;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using CrossMargin.Risk.Liquidation;
using ActorProps = CrossMargin.Actors.Props;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The insurance fund, event-sourced (persistence id <see cref="Id"/>), one per cluster. It wraps the pure
/// <see cref="InsuranceFund"/> of the risk core: deposits (<see cref="DepositToInsuranceFund"/>), liquidation fees
/// (<see cref="CollectLiquidationFee"/>), deficit covers (<see cref="CoverLiquidationDeficit"/>) and the settlement of a
/// liquidation's shortfalls (<see cref="SettleLiquidationShortfall"/>) are each persisted as one
/// event and answered with it; <see cref="GetInsuranceFund"/> is answered with an <see cref="InsuranceFundView"/>.
/// </summary>
/// <remarks>
/// <para>Every request carries an id and the fund remembers every id it applied (its history is kept whole anyway): a
/// repeated request is answered with the first answer and changes nothing, so the coordinator can re-send after a
/// restart without paying twice.</para>
/// <para>A cover is computed by <see cref="InsuranceFund.Cover(decimal, CrossMargin.Risk.Market.MarketSnapshot, string, string, DateTimeOffset, CrossMargin.Risk.Collateral.CollateralSchedule, IReadOnlyList{CrossMargin.Risk.Portfolios.CollateralBalance})"/> at the newest market and its outcome (the payments per
/// asset) is what is persisted, so replay never re-prices it: the balances after a replay are the ones paid.</para>
/// </remarks>
public sealed class InsuranceFundActor : PersistentActor
{
    /// <summary>The fund's persistence id.</summary>
    public const string Id = "insurance-fund";

    private readonly LatestMarket _market;
    private readonly Dictionary<string, IInsuranceFundEvent> _processed = new(StringComparer.Ordinal);
    private ImmutableSortedDictionary<string, decimal> _balances = ImmutableSortedDictionary.Create<string, decimal>(StringComparer.Ordinal);
    private ImmutableList<InsuranceFundMovement> _history = [];

    private InsuranceFundActor(PersistenceServices persistence, LatestMarket market)
        : base(persistence)
    {
        _market = market;
    }

    /// <inheritdoc />
    public override string PersistenceId => Id;

    /// <summary>The props of the fund; <paramref name="persistence"/>'s registry must have <see cref="LiquidationEvents.Register"/>.</summary>
    public static ActorProps Props(PersistenceServices persistence, LatestMarket market)
    {
        ArgumentNullException.ThrowIfNull(persistence);
        ArgumentNullException.ThrowIfNull(market);
        return ActorProps.Create(() => new InsuranceFundActor(persistence, market));
    }

    /// <inheritdoc />
    protected override void ReceiveRecover(object message)
    {
        if (message is IInsuranceFundEvent @event)
        {
            Apply(@event);
        }
    }

    /// <inheritdoc />
    protected override bool ReceiveCommand(object message)
    {
        switch (message)
        {
            case DepositToInsuranceFund c:
                Decide(c.RequestId, () => Invalid(c.RequestId, c.Asset, c.Amount) ?? OffUnit(c)
                    ?? (object)new InsuranceFundDeposited(c.RequestId, c.Asset, c.Amount, Now));
                return true;
            case CollectLiquidationFee c:
                Decide(c.RequestId, () => Invalid(c.RequestId, c.Asset, c.Amount)
                    ?? (object)new LiquidationFeeCollected(c.RequestId, c.LiquidationId, c.AccountId, c.Symbol, c.Asset, c.Amount, c.AmountUsd, Now));
                return true;
            case CoverLiquidationDeficit c:
                Decide(c.RequestId, () => Cover(c));
                return true;
            case SettleLiquidationShortfall c:
                Decide(c.RequestId, () => Settle(c));
                return true;
            case GetInsuranceFund:
                var market = _market.Current;
                Sender.Tell(new InsuranceFundView(_balances, new InsuranceFund(_balances).ValueUsd(market), market.ValuationTime, _history), Self);
                return true;
            default:
                return false;
        }
    }

    private DateTimeOffset Now => Context.System.TimeProvider.GetUtcNow();

    private void Decide(string requestId, Func<object> decide)
    {
        var replyTo = Sender;
        if (string.IsNullOrWhiteSpace(requestId))
        {
            replyTo.Tell(new InsuranceFundRejected(requestId ?? string.Empty, "A request id is required."), Self);
            return;
        }

        if (_processed.TryGetValue(requestId, out var earlier))
        {
            replyTo.Tell(earlier, Self);
            return;
        }

        switch (decide())
        {
            case IInsuranceFundEvent @event:
                Persist(@event, e =>
                {
                    Apply(e);
                    if (e is LiquidationDeficitCovered { CoveredUsd: > 0 })
                    {
                        EngineMetrics.InsuranceCovers.Add(1);
                    }

                    replyTo.Tell(e, Self);
                });
                break;
            case var rejection:
                replyTo.Tell(rejection, Self);
                break;
        }
    }

    private object Cover(CoverLiquidationDeficit c)
    {
        if (c.DeficitUsd < 0 || string.IsNullOrWhiteSpace(c.AccountId) || string.IsNullOrWhiteSpace(c.LiquidationId))
        {
            return new InsuranceFundRejected(c.RequestId, $"A cover needs an account, a liquidation and a deficit of zero or more, not {c.DeficitUsd}.");
        }

        // The pure fund computes the payments (asset order, rounding in the fund's disfavour); a fund built from the
        // balances alone has an empty history, so every entry it returns is this cover's.
        var now = Now;
        var coverage = new InsuranceFund(_balances).Cover(c.DeficitUsd, _market.Current, c.AccountId, c.LiquidationId, now, c.Collateral, c.Holdings);
        var payments = coverage.Fund.History
            .Where(e => e.Kind == InsuranceFundEntryKind.DeficitCovered)
            .Select(e => new InsuranceFundPayment(e.Asset, e.Amount, e.AmountUsd))
            .ToArray();
        return new LiquidationDeficitCovered(c.RequestId, c.LiquidationId, c.AccountId, c.DeficitUsd, coverage.CoveredUsd, coverage.UncoveredUsd, payments, now);
    }

    private object Settle(SettleLiquidationShortfall c)
    {
        if (c.UncoveredUsd < 0 || string.IsNullOrWhiteSpace(c.AccountId) || string.IsNullOrWhiteSpace(c.LiquidationId))
        {
            return new InsuranceFundRejected(c.RequestId, $"A shortfall settlement needs an account, a liquidation and an uncovered amount of zero or more, not {c.UncoveredUsd}.");
        }

        // What the history still shows uncovered for the liquidation, less what is: never below zero, the history
        // never records more uncovered than its rows show (a liquidation from before settlements has triggered rows only).
        var outstanding = _history.Where(m => m.LiquidationId == c.LiquidationId).Sum(m => m.Kind switch
        {
            InsuranceFundMovementKind.AutoDeleverageTriggered => m.Amount,
            InsuranceFundMovementKind.ShortfallSettled => -m.Amount,
            _ => 0m,
        });
        return new LiquidationShortfallSettled(c.RequestId, c.LiquidationId, c.AccountId, Math.Max(0m, outstanding - c.UncoveredUsd), c.UncoveredUsd, Now);
    }

    private InsuranceFundRejected? Invalid(string requestId, string asset, decimal amount) =>
        string.IsNullOrWhiteSpace(asset) || !_market.Current.HasPrice(asset)
            ? new InsuranceFundRejected(requestId, $"Asset {asset} is not priced by the market.")
            : amount <= 0
                ? new InsuranceFundRejected(requestId, $"The amount of {asset} must be positive, not {amount}.")
                : null;

    // Deposits only: fees and covers are amounts the coordinator computes and books to the unit itself.
    private static InsuranceFundRejected? OffUnit(DepositToInsuranceFund c) =>
        AccountDecider.OffUnit($"Amount of {c.Asset}", c.Amount) is { } offUnit ? new InsuranceFundRejected(c.RequestId, offUnit.Message, offUnit.Code) : null;

    private void Apply(IInsuranceFundEvent @event)
    {
        switch (@event)
        {
            case InsuranceFundDeposited e:
                Credit(e.Asset, e.Amount);
                _history = _history.Add(new InsuranceFundMovement(InsuranceFundMovementKind.Deposited, e.RequestId, e.Asset, e.Amount, null, null, null, e.Time));
                break;
            case LiquidationFeeCollected e:
                Credit(e.Asset, e.Amount);
                _history = _history.Add(new InsuranceFundMovement(InsuranceFundMovementKind.FeeCollected, e.RequestId, e.Asset, e.Amount, e.AmountUsd,
                    e.AccountId, e.LiquidationId, e.Time));
                break;
            case LiquidationDeficitCovered e:
                foreach (var payment in e.Payments)
                {
                    Credit(payment.Asset, -payment.Amount);
                    _history = _history.Add(new InsuranceFundMovement(InsuranceFundMovementKind.DeficitCovered, e.RequestId, payment.Asset, payment.Amount,
                        payment.AmountUsd, e.AccountId, e.LiquidationId, e.Time));
                }

                if (e.UncoveredUsd > 0)
                {
                    _history = _history.Add(new InsuranceFundMovement(InsuranceFundMovementKind.AutoDeleverageTriggered, e.RequestId, "USD", e.UncoveredUsd,
                        e.UncoveredUsd, e.AccountId, e.LiquidationId, e.Time));
                }

                break;
            case LiquidationShortfallSettled { SettledUsd: > 0 } e:
                _history = _history.Add(new InsuranceFundMovement(InsuranceFundMovementKind.ShortfallSettled, e.RequestId, "USD", e.SettledUsd, e.SettledUsd,
                    e.AccountId, e.LiquidationId, e.Time));
                break;
        }

        _processed[@event.RequestId] = @event;
    }

    private void Credit(string asset, decimal amount) => _balances = _balances.SetItem(asset, _balances.GetValueOrDefault(asset) + amount);
}
