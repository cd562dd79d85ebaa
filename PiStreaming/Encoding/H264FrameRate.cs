namespace PiStreaming.Encoding;

/// <summary>
/// Reads the frame rate an H.264 stream states in its sequence parameter set (the VUI's timing info:
/// time_scale / (2 * num_units_in_tick), as libx264 writes it). A relay of an H.264-only origin learns the
/// rate from it, which its page, its status and its publishers need.
/// </summary>
internal static class H264FrameRate
{
    private static readonly HashSet<int> HighProfiles = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];

    /// <param name="sps">one sequence parameter set NAL unit, its header byte first, without its start code.</param>
    /// <returns>the rate, or null when the SPS states none (or is cut short).</returns>
    public static double? Read(ReadOnlySpan<byte> sps)
    {
        try
        {
            return ReadTiming(new BitReader(sps[1..]));
        }
        catch (Exception e) when (e is IndexOutOfRangeException or InvalidDataException)
        {
            return null;
        }
    }

    private static double? ReadTiming(BitReader bits)
    {
        var profile = (int)bits.Bits(8);
        bits.Bits(16); // constraint flags, level
        bits.Unsigned(); // seq_parameter_set_id
        if (HighProfiles.Contains(profile))
        {
            var chromaFormat = bits.Unsigned();
            if (chromaFormat == 3)
            {
                bits.Bits(1);
            }

            bits.Unsigned();
            bits.Unsigned();
            bits.Bits(1);
            if (bits.Bits(1) == 1)
            {
                for (var i = 0; i < (chromaFormat == 3 ? 12 : 8); i++)
                {
                    if (bits.Bits(1) == 1)
                    {
                        SkipScalingList(bits, i < 6 ? 16 : 64);
                    }
                }
            }
        }

        bits.Unsigned(); // log2_max_frame_num_minus4
        switch (bits.Unsigned())
        {
            case 0:
                bits.Unsigned();
                break;
            case 1:
                bits.Bits(1);
                bits.Signed();
                bits.Signed();
                var cycle = bits.Unsigned();
                for (var i = 0; i < cycle; i++)
                {
                    bits.Signed();
                }

                break;
        }

        bits.Unsigned(); // max_num_ref_frames
        bits.Bits(1);
        bits.Unsigned(); // width and height in macroblocks
        bits.Unsigned();
        if (bits.Bits(1) == 0)
        {
            bits.Bits(1);
        }

        bits.Bits(1);
        if (bits.Bits(1) == 1)
        {
            for (var i = 0; i < 4; i++)
            {
                bits.Unsigned(); // cropping
            }
        }

        if (bits.Bits(1) == 0)
        {
            return null; // no VUI
        }

        if (bits.Bits(1) == 1 && bits.Bits(8) == 255)
        {
            bits.Bits(32); // extended sample aspect ratio
        }

        if (bits.Bits(1) == 1)
        {
            bits.Bits(1); // overscan
        }

        if (bits.Bits(1) == 1)
        {
            bits.Bits(4);
            if (bits.Bits(1) == 1)
            {
                bits.Bits(24); // colour description
            }
        }

        if (bits.Bits(1) == 1)
        {
            bits.Unsigned(); // chroma sample locations
            bits.Unsigned();
        }

        if (bits.Bits(1) == 0)
        {
            return null;
        }

        var unitsInTick = bits.Bits(32);
        var timeScale = bits.Bits(32);
        return unitsInTick == 0 || timeScale == 0 ? null : timeScale / (2.0 * unitsInTick);
    }

    private static void SkipScalingList(BitReader bits, int size)
    {
        int last = 8, next = 8;
        for (var j = 0; j < size && next != 0; j++)
        {
            next = (last + bits.Signed() + 256) % 256;
            last = next == 0 ? last : next;
        }
    }

    // Reads the SPS's bits, leaving out the emulation prevention bytes (the 03 of 00 00 03).
    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> data = data;
        private int index;
        private int bit;
        private int zeros;

        public long Bits(int count)
        {
            long value = 0;
            for (var i = 0; i < count; i++)
            {
                value = (value << 1) | (uint)NextBit();
            }

            return value;
        }

        public int Unsigned()
        {
            var leadingZeros = 0;
            while (NextBit() == 0)
            {
                if (++leadingZeros > 31)
                {
                    throw new InvalidDataException("not an Exp-Golomb code");
                }
            }

            return (int)((1L << leadingZeros) - 1 + Bits(leadingZeros));
        }

        public int Signed()
        {
            var code = Unsigned();
            return code % 2 == 1 ? (code + 1) / 2 : -(code / 2);
        }

        private int NextBit()
        {
            if (bit == 0)
            {
                if (zeros >= 2 && data[index] == 3)
                {
                    index++;
                    zeros = 0;
                }

                zeros = data[index] == 0 ? zeros + 1 : 0;
            }

            var value = (data[index] >> (7 - bit)) & 1;
            if (++bit == 8)
            {
                bit = 0;
                index++;
            }

            return value;
        }
    }
}
