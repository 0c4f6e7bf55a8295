using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.UnitTests.Ipam;

public class AddressBitmapTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(70_000)]
    public void FindClear_matches_a_linear_scan(int count)
    {
        var random = new Random(count);
        var bits = new AddressBitmap(count);
        var model = new bool[count];
        // Start nearly full (a few holes), so that whole words and summary blocks are full and get skipped.
        for (var i = 0; i < count; i++) model[i] = bits.Set(i);
        for (var h = 0; h < count / 500 + 1; h++)
        {
            var i = random.Next(count);
            bits.Clear(i);
            model[i] = false;
        }
        for (var round = 0; round < 2000; round++)
        {
            var i = random.Next(count);
            var set = random.NextDouble() < 0.7;
            Assert.Equal(model[i] != set, set ? bits.Set(i) : bits.Clear(i));
            model[i] = set;

            var lo = random.Next(count);
            var hi = random.Next(lo, count);
            Assert.Equal(Linear(model, lo, hi), bits.FindClear(lo, hi));
        }
        for (var i = 0; i < count; i++) Assert.Equal(model[i], bits.IsSet(i));
    }

    [Fact]
    public void A_full_bitmap_has_no_clear_bit_and_one_cleared_bit_is_found_anywhere()
    {
        const int count = 1 << 16;
        var bits = new AddressBitmap(count);
        for (var i = 0; i < count; i++) bits.Set(i);
        Assert.Equal(-1, bits.FindClear(0, count - 1));
        foreach (var hole in new[] { 0, 63, 64, 4095, 4096, 40_000, count - 1 })
        {
            bits.Clear(hole);
            Assert.Equal(hole, bits.FindClear(0, count - 1));
            Assert.Equal(hole, bits.FindClear(hole, hole));
            Assert.Equal(-1, bits.FindClear(hole + 1, count - 1));
            Assert.Equal(-1, bits.FindClear(0, hole - 1));
            bits.Set(hole);
        }
    }

    [Fact]
    public void Out_of_range_indices_throw()
    {
        var bits = new AddressBitmap(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => bits.Set(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => bits.IsSet(-1));
        Assert.Equal(-1, bits.FindClear(5, 4));
        Assert.Equal(9, bits.FindClear(9, 100)); // hi is clamped to the last bit, never a padding bit
    }

    private static int Linear(bool[] model, int lo, int hi)
    {
        for (var i = lo; i <= hi; i++) if (!model[i]) return i;
        return -1;
    }
}
