namespace CrossMargin.Risk.Margin.Standard;

/// <summary>
/// Notional brackets with rising rates. The deduction of bracket n is
/// amount_n = amount_(n-1) + floor_n x (rate_n - rate_(n-1)) (Binance, "How to Calculate Liquidation Price of
/// USDⓈ-M Futures Contracts"), which makes margin continuous and non-decreasing in notional.
/// </summary>
public sealed class RiskLimitSchedule
{
    private readonly RiskLimitBracket[] _brackets;

    /// <summary>
    /// Builds a schedule from (floor, cap, initial rate, maintenance rate, published maintenance amount or null).
    /// Brackets must start at 0, be contiguous, and have non-decreasing rates with maintenance at most initial and below 1.
    /// A published amount must equal the continuous one to the cent, so a mistyped table fails at load.
    /// </summary>
    public RiskLimitSchedule(IEnumerable<(decimal Floor, decimal? Cap, decimal InitialRate, decimal MaintenanceRate, decimal? PublishedAmount)> brackets)
    {
        var input = brackets.ToArray();
        if (input.Length == 0 || input[0].Floor != 0)
        {
            throw new ArgumentException("A risk-limit schedule needs brackets starting at notional 0.", nameof(brackets));
        }

        _brackets = new RiskLimitBracket[input.Length];
        decimal im = 0, mm = 0, prevIr = 0, prevMr = 0;
        for (var i = 0; i < input.Length; i++)
        {
            var (floor, cap, ir, mr, published) = input[i];
            if (i > 0 && input[i - 1].Cap != floor)
            {
                throw new ArgumentException($"Bracket {i} starts at {floor} but bracket {i - 1} ends at {input[i - 1].Cap}.", nameof(brackets));
            }

            if (cap is { } c && c <= floor)
            {
                throw new ArgumentException($"Bracket {i}: cap {c} must be above floor {floor}.", nameof(brackets));
            }

            if (cap is null && i != input.Length - 1)
            {
                throw new ArgumentException($"Bracket {i}: only the last bracket may be unbounded.", nameof(brackets));
            }

            // A maintenance rate of 1 is no venue's and leaves a long's liquidation price undefined (LiquidationPrice
            // divides by 1 - rate), so it stays below 1 while the initial rate may reach it (1x leverage).
            if (mr <= 0 || mr >= 1 || ir < mr || ir > 1 || ir < prevIr || mr < prevMr)
            {
                throw new ArgumentException($"Bracket {i}: need 0 < maintenance rate {mr} < 1, maintenance rate <= initial rate {ir} <= 1, rates not falling.", nameof(brackets));
            }

            im += floor * (ir - prevIr);
            mm += floor * (mr - prevMr);
            if (published is { } p && Math.Abs(p - mm) >= 0.01m)
            {
                throw new ArgumentException($"Bracket {i}: published maintenance amount {p} is not continuous; it should be {mm}.", nameof(brackets));
            }

            _brackets[i] = new RiskLimitBracket(floor, cap, ir, mr, im, mm);
            prevIr = ir;
            prevMr = mr;
        }
    }

    /// <summary>The brackets in increasing notional.</summary>
    public IReadOnlyList<RiskLimitBracket> Brackets => _brackets;

    /// <summary>The index of the bracket holding <paramref name="notionalUsd"/> (the last one beyond the top cap).</summary>
    public int IndexOf(decimal notionalUsd)
    {
        for (var i = 0; i < _brackets.Length; i++)
        {
            if (_brackets[i].NotionalCapUsd is not { } cap || notionalUsd < cap)
            {
                return i;
            }
        }

        return _brackets.Length - 1;
    }

    /// <summary>The bracket holding <paramref name="notionalUsd"/>.</summary>
    public RiskLimitBracket BracketFor(decimal notionalUsd) => _brackets[IndexOf(notionalUsd)];
}
