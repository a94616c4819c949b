using System.Text;

namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// Entity ids as actor names and back: characters the kernel allows in names pass through, every other UTF-8 byte
/// (and '~' itself, and '$', which starts generated names) becomes "~XX". The name is the only place the shard keeps
/// the id of a stopped entity's reference, so no reverse map costs memory per entity.
/// </summary>
internal static class EntityNames
{
    private const string Allowed = "-_.*+:@&=,!';";

    public static string Encode(string entityId)
    {
        if (entityId.All(PassesThrough))
        {
            return entityId;
        }

        var name = new StringBuilder(entityId.Length + 8);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in entityId.EnumerateRunes())
        {
            if (rune.IsAscii && PassesThrough((char)rune.Value))
            {
                name.Append((char)rune.Value);
                continue;
            }

            var written = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..written])
            {
                name.Append('~').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return name.ToString();
    }

    public static string Decode(string name)
    {
        if (!name.Contains('~', StringComparison.Ordinal))
        {
            return name;
        }

        var bytes = new List<byte>(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '~' && i + 2 < name.Length && byte.TryParse(name.AsSpan(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier,
                    System.Globalization.CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.Add((byte)name[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool PassesThrough(char c) => char.IsAsciiLetterOrDigit(c) || Allowed.Contains(c, StringComparison.Ordinal);
}
