namespace CrossMargin.Risk.Instruments;

/// <summary>How a derivative's profit and loss is paid.</summary>
public enum SettlementKind
{
    /// <summary>Settled in the quote asset (USDT, USDC): P&amp;L = quantity x contract size x (exit - entry).</summary>
    Linear,

    /// <summary>
    /// Settled in the underlying coin (BTC-margined): for futures P&amp;L = quantity x contract size x (1/entry - 1/exit),
    /// in coin; for options the premium is quoted in coin (USD value / forward).
    /// </summary>
    Inverse,
}
