namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>The scale a decimal needs: its digits after the point with trailing zeros dropped (1.50 -> 1, 100 -> 0).</summary>
internal static class DecimalScale
{
    public static byte Of(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        if (scale == 0)
        {
            return 0;
        }

        if (bits[2] == 0)
        {
            // Nearly always: a 64-bit mantissa divides in one instruction, a 128-bit one in a software loop.
            var low = unchecked(((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
            if (low == 0)
            {
                return 0;
            }

            while (scale > 0 && low % 10 == 0)
            {
                low /= 10;
                scale--;
            }

            return (byte)scale;
        }

        var mantissa = unchecked(new UInt128((uint)bits[2], ((ulong)(uint)bits[1] << 32) | (uint)bits[0]));
        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return (byte)scale;
    }
}
