namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>The scale a decimal needs: its digits after the point with trailing zeros dropped (1.50 -> 1, 100 -> 0).</summary>
internal static class DecimalScale
{
    public static int Of(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        if (scale == 0)
        {
            return 0;
        }

        var mantissa = unchecked(new UInt128((uint)bits[2], ((ulong)(uint)bits[1] << 32) | (uint)bits[0]));
        if (mantissa == 0)
        {
            return 0;
        }

        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return scale;
    }
}
