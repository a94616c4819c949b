using System.Runtime.InteropServices;

namespace CrossMargin.Persistence;

/// <summary>ADO.NET providers bind byte arrays; most payloads already are one, so avoid the copy when possible.</summary>
internal static class PayloadBytes
{
    public static byte[] AsArray(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToArray();
}
