namespace CrossMargin.Persistence.Journal;

/// <summary>Tags are stored on the event row as one text column (and once per tag in event_tag for the index).</summary>
internal static class TagCodec
{
    public static string Encode(IReadOnlyList<string> tags) =>
        tags.Count == 0 ? string.Empty : string.Join(EventData.TagSeparator, tags);

    public static IReadOnlyList<string> Decode(string stored) =>
        stored.Length == 0 ? [] : stored.Split(EventData.TagSeparator);
}
