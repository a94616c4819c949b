namespace CrossMargin.Engine.Liquidations;

/// <summary>Orders expired unreported: remembered for a late report up to a horizon, then forgotten.</summary>
public sealed partial class LiquidationCoordinator
{
    /// <summary>Every order counted as unfilled, in the order it was, with when: the oldest are forgotten first.</summary>
    private readonly Queue<(DateTimeOffset At, Liquidation Liquidation, string OrderId)> _expiredSince = new();

    /// <summary>Remembers <paramref name="orderId"/>, expired at <paramref name="at"/>, for a late report (<see cref="ForgetExpiredPastHorizon"/>).</summary>
    private void Expire(Liquidation liquidation, string orderId, IssuedLiquidationOrder order, DateTimeOffset at)
    {
        liquidation.Expired[orderId] = order;
        _expiredSince.Enqueue((at, liquidation, orderId));
    }

    /// <summary>
    /// Forgets the expired orders the venue has not reported within <see cref="LiquidationCoordinatorSettings.LateReportHorizon"/>
    /// of their expiry: a report that comes later is ignored (logged) and charges no fee. Called as orders expire, and
    /// as a restart's recovery ends, so what is remembered is bounded by the orders that expired within the horizon and
    /// a restarted coordinator remembers what the one before did (the expiry times are the journaled events').
    /// </summary>
    private void ForgetExpiredPastHorizon()
    {
        var before = Now - _settings.LateReportHorizon;
        while (_expiredSince.TryPeek(out var oldest) && oldest.At <= before)
        {
            _expiredSince.Dequeue();
            if (oldest.Liquidation.Expired.Remove(oldest.OrderId))
            {
                _orderOwner.Remove(oldest.OrderId);
            }
        }
    }

    private UnreportedOrders CountUnreported() =>
        new(_liquidations.Sum(l => l.Outstanding.Count), _liquidations.Sum(l => l.Expired.Count));
}
