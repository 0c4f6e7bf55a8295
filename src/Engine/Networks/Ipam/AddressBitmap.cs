using System.Numerics;

namespace MyDocker.Engine.Networks.Ipam;

/// <summary>
/// A fixed-size bit set (set = taken) with a one-bit-per-word "full" summary, so that a search skips 64 full
/// words (4,096 addresses) per summary word: finding a free bit in a /8 (2^24 bits, 2 MiB + 32 KiB) touches at
/// most 4,096 summary words plus a few data words. Not thread-safe.
/// </summary>
internal sealed class AddressBitmap
{
    private readonly ulong[] _words;
    private readonly ulong[] _full; // bit (w & 63) of _full[w >> 6] is set when _words[w] == ulong.MaxValue

    public AddressBitmap(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count = count;
        var words = (count + 63) >> 6;
        _words = new ulong[words];
        _full = new ulong[(words + 63) >> 6];
        // Padding bits past Count are "taken" so that the last word can become full.
        var tail = count & 63;
        if (tail != 0)
        {
            _words[words - 1] = ulong.MaxValue << tail;
        }
    }

    public int Count { get; }

    public bool IsSet(int index)
    {
        CheckIndex(index);
        return (_words[index >> 6] & (1UL << (index & 63))) != 0;
    }

    /// <summary>Sets the bit; returns false if it was already set.</summary>
    public bool Set(int index)
    {
        CheckIndex(index);
        ref var word = ref _words[index >> 6];
        var bit = 1UL << (index & 63);
        if ((word & bit) != 0) return false;
        word |= bit;
        if (word == ulong.MaxValue) _full[index >> 12] |= 1UL << ((index >> 6) & 63);
        return true;
    }

    /// <summary>Clears the bit; returns false if it was already clear.</summary>
    public bool Clear(int index)
    {
        CheckIndex(index);
        ref var word = ref _words[index >> 6];
        var bit = 1UL << (index & 63);
        if ((word & bit) == 0) return false;
        word &= ~bit;
        _full[index >> 12] &= ~(1UL << ((index >> 6) & 63));
        return true;
    }

    /// <summary>The lowest clear bit in [<paramref name="lo"/>, <paramref name="hi"/>], or -1.</summary>
    public int FindClear(int lo, int hi)
    {
        if (lo < 0) lo = 0;
        if (hi >= Count) hi = Count - 1;
        if (lo > hi) return -1;
        int w = lo >> 6, firstWord = w, lastWord = hi >> 6;
        while (w <= lastWord)
        {
            var notFull = ~_full[w >> 6] & (ulong.MaxValue << (w & 63));
            if (notFull == 0)
            {
                w = ((w >> 6) + 1) << 6; // the rest of this summary word is full: next 64-word block
                continue;
            }
            w = (w & ~63) + BitOperations.TrailingZeroCount(notFull);
            if (w > lastWord) return -1;
            var free = ~_words[w];
            if (w == firstWord) free &= ulong.MaxValue << (lo & 63);
            if (w == lastWord && (hi & 63) != 63) free &= (1UL << ((hi & 63) + 1)) - 1;
            if (free != 0) return (w << 6) + BitOperations.TrailingZeroCount(free);
            w++;
        }
        return -1;
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"bitmap holds {Count} bits");
    }
}
