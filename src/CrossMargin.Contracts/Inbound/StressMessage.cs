namespace CrossMargin.Contracts.Inbound;

/// <summary>A stress scenario (<c>POST /api/v1/stress</c>), read under the contract: spot moves by name and a parallel vol move.</summary>
public sealed record StressMessage
{
    /// <summary>Relative move by underlying or asset name (-0.30 is -30%); names not listed do not move.</summary>
    public IReadOnlyDictionary<string, decimal>? Spot { get; set; }

    /// <summary>Implied-vol move in vol points for every option (+20 is +0.20 of vol); 0 when left out.</summary>
    public double? VolPoints { get; set; }

    /// <summary>
    /// Checks the scenario's shape, or lists every violation: each name an id (printable, at most
    /// <see cref="FieldCheck.MaxIdLength"/> characters), the vol move a finite number. Whether the names are in the
    /// market and the moves leave prices positive is the stress's to say.
    /// </summary>
    public ContractResult<StressMessage> ToScenario()
    {
        var check = new FieldCheck();
        foreach (var name in Spot?.Keys ?? [])
        {
            check.Id("spot", name);
        }

        if (VolPoints is { } vol && !double.IsFinite(vol))
        {
            check.Fail("volPoints", FormattableString.Invariant($"must be a finite number of vol points, not {vol}."));
        }

        return check.Ok ? new(null, this, []) : new(null, null, check.Violations);
    }
}
