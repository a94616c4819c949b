namespace CrossMargin.Persistence.Journal;

/// <summary>One event to append: its envelope and the tags that put it on tagged streams (read models, audit).</summary>
public sealed record EventData
{
    /// <summary>The character that separates tags in storage, so it may not appear in a tag.</summary>
    internal const char TagSeparator = '\u001f';

    /// <summary>Creates an event to append.</summary>
    /// <param name="payload">The serialized event.</param>
    /// <param name="tags">Tags, each non-empty, without control characters and at most once; none by default.</param>
    public EventData(SerializedPayload payload, IReadOnlyList<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Payload = payload;
        Tags = tags is null || tags.Count == 0 ? [] : ValidTags(tags);
    }

    /// <summary>The serialized event.</summary>
    public SerializedPayload Payload { get; }

    /// <summary>The event's tags (possibly none).</summary>
    public IReadOnlyList<string> Tags { get; }

    private static string[] ValidTags(IReadOnlyList<string> tags)
    {
        var copy = tags.ToArray();
        foreach (var tag in copy)
        {
            if (string.IsNullOrWhiteSpace(tag) || tag.Any(char.IsControl))
            {
                throw new ArgumentException($"Tag '{tag}' must be non-empty and free of control characters.", nameof(tags));
            }
        }

        if (copy.Distinct(StringComparer.Ordinal).Count() != copy.Length)
        {
            throw new ArgumentException("Tags must be distinct.", nameof(tags));
        }

        return copy;
    }
}
