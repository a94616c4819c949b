using CrossMargin.Engine.Prices;

namespace CrossMargin.Contracts.Inbound;

/// <summary>A batch of index prices and marks; each is checked, and then accepted or rejected, on its own.</summary>
public sealed record PricesMessage
{
    /// <summary>Largest batch accepted.</summary>
    public const int MaxUpdates = 1_000;

    /// <summary>Index prices.</summary>
    public IReadOnlyList<IndexPrice>? Indices { get; set; }

    /// <summary>Marks.</summary>
    public IReadOnlyList<MarkPrice>? Marks { get; set; }

    /// <summary>The updates, in order (indices first so a mark is checked against its new index), or every violation.</summary>
    public ContractResult<IReadOnlyList<object>> ToUpdates()
    {
        var check = new FieldCheck();
        var updates = new List<object>();
        var indices = Indices ?? [];
        var marks = Marks ?? [];
        if (indices.Count + marks.Count == 0)
        {
            check.Fail("", "A prices message needs at least one index or mark.");
        }
        else if (indices.Count + marks.Count > MaxUpdates)
        {
            check.Fail("", $"A prices message holds at most {MaxUpdates} updates, not {indices.Count + marks.Count}.");
        }

        for (var i = 0; i < indices.Count; i++)
        {
            var index = indices[i];
            var at = $"indices[{i}].";
            updates.Add(new UpdateIndex(check.Id(at + "asset", index?.Asset), check.Positive(at + "price", index?.Price),
                check.Timestamp(at + "timestamp", index?.Timestamp)));
        }

        for (var i = 0; i < marks.Count; i++)
        {
            var mark = marks[i];
            var at = $"marks[{i}].";
            if (mark?.ImpliedVolatility is { } vol && !double.IsFinite(vol))
            {
                // Not a number at all (as opposed to one out of band, which the price feed refuses on its own); nor can
                // it be written to JSON again for the cluster's other nodes.
                check.Fail(at + "impliedVolatility", $"must be a finite number, not {vol}.");
            }

            updates.Add(new UpdateMark(check.Id(at + "symbol", mark?.Symbol), check.Positive(at + "price", mark?.Price), mark?.ImpliedVolatility,
                check.Timestamp(at + "timestamp", mark?.Timestamp)));
        }

        return check.Ok ? new(null, updates, []) : new(null, null, check.Violations);
    }
}
