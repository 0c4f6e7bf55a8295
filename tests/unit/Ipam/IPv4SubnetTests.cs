using System.Net;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.UnitTests.Ipam;

public class IPv4SubnetTests
{
    private static uint A(string s) => IPv4.Parse(s);

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.0", 24)]
    [InlineData("172.17.0.0/16", "172.17.0.0", 16)]
    [InlineData("10.0.0.0/8", "10.0.0.0", 8)]
    [InlineData("192.168.1.4/30", "192.168.1.4", 30)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0)]
    [InlineData("255.255.255.255/32", "255.255.255.255", 32)]
    public void Parses_valid_subnets(string text, string network, int prefix)
    {
        Assert.True(IPv4Subnet.TryParse(text, out var subnet, out var host, out var error), error);
        Assert.Equal(A(network), subnet.Network);
        Assert.Equal(prefix, subnet.PrefixLength);
        Assert.Null(host);
        Assert.Equal("", error);
        Assert.Equal(text, subnet.ToString());
        Assert.Equal(subnet, IPv4Subnet.Parse(text));
    }

    [Fact]
    public void Host_bits_give_the_subnet_and_the_host_address()
    {
        Assert.True(IPv4Subnet.TryParse("10.0.0.1/24", out var subnet, out var host, out _));
        Assert.Equal(IPv4Subnet.Parse("10.0.0.0/24"), subnet);
        Assert.Equal(A("10.0.0.1"), host);

        Assert.True(IPv4Subnet.TryParse("172.20.3.77/16", out subnet, out host, out _));
        Assert.Equal("172.20.0.0/16", subnet.ToString());
        Assert.Equal(A("172.20.3.77"), host);
    }

    [Theory]
    [InlineData("10.0.0.300/24", "300 is not an IPv4 octet (0-255)")]
    [InlineData("10.0.0.1000/24", "1000 is not an IPv4 octet (0-255)")]
    [InlineData("abc", "\"abc\" is not an IPv4 address")]
    [InlineData("abc/24", "\"abc\" is not an IPv4 address")]
    [InlineData("10.0.0.0/33", "33 is not a prefix length (0-32)")]
    [InlineData("10.0.0.0/100", "100 is not a prefix length (0-32)")]
    [InlineData("10.0.0.0/-1", "\"-1\" is not a prefix length (0-32)")]
    [InlineData("10.0.0.0/+24", "\"+24\" is not a prefix length (0-32)")]
    [InlineData("10.0.0.0/x", "\"x\" is not a prefix length (0-32)")]
    [InlineData("10.0.0.0/24/8", "\"24/8\" is not a prefix length (0-32)")]
    [InlineData("10.0.0.0/024", "leading zero")]
    [InlineData("10.0.0.0/", "the prefix length after '/' is missing")]
    [InlineData("10.0.0.0", "the prefix length is missing")]
    [InlineData("10.0.0/24", "\"10.0.0\" has 3 parts, an IPv4 address has 4")]
    [InlineData("10/8", "\"10\" has 1 part, an IPv4 address has 4")]
    [InlineData("1.2.3.4.5/8", "has 5 parts")]
    [InlineData("10..0.0/24", "has an empty octet")]
    [InlineData("10.0.0.010/24", "octet \"010\" has a leading zero")]
    [InlineData("+10.0.0.0/24", "only digits and dots are allowed ('+' is not)")]
    [InlineData("-10.0.0.0/24", "only digits and dots are allowed ('-' is not)")]
    [InlineData(" 10.0.0.0/24", "it contains spaces")]
    [InlineData("10.0.0.0/24 ", "it contains spaces")]
    [InlineData("10.0.0.0 /24", "it contains spaces")]
    [InlineData("10.0.0.0/ 24", "it contains spaces")]
    [InlineData("", "the subnet is empty")]
    [InlineData("/24", "the address is empty")]
    [InlineData("fd00::/64", "IPv6 is not supported yet")]
    [InlineData("::ffff:10.0.0.0/120", "IPv6 is not supported yet")]
    [InlineData("0x0a.0.0.0/8", "('x' is not)")]
    [InlineData("１0.0.0.0/8", "only digits and dots")] // a full-width digit is not an ASCII digit
    public void Rejects_invalid_subnets_with_a_message_naming_input_and_fix(string text, string reason)
    {
        Assert.False(IPv4Subnet.TryParse(text, out var subnet, out var host, out var error));
        Assert.Equal(default, subnet);
        Assert.Null(host);
        Assert.StartsWith($"invalid subnet \"{text}\": ", error);
        Assert.Contains(reason, error);
        Assert.Contains("10.0.0.0/24", error); // the example of the right form
        var e = Assert.Throws<FormatException>(() => IPv4Subnet.Parse(text));
        Assert.Equal(error, e.Message);
    }

    [Fact]
    public void The_octet_error_reads_as_documented()
    {
        IPv4Subnet.TryParse("10.0.0.300/24", out _, out _, out var error);
        Assert.Equal("invalid subnet \"10.0.0.300/24\": 300 is not an IPv4 octet (0-255); write it like 10.0.0.0/24", error);
        IPv4Subnet.TryParse("fd00::/64", out _, out _, out error);
        Assert.Equal("invalid subnet \"fd00::/64\": IPv6 is not supported yet; write an IPv4 subnet like 10.0.0.0/24", error);
    }

    [Fact]
    public void Null_is_rejected_not_thrown()
    {
        Assert.False(IPv4Subnet.TryParse(null, out _, out _, out var error));
        Assert.Contains("the subnet is empty", error);
    }

    [Fact]
    public void Control_characters_are_escaped_in_messages()
    {
        Assert.False(IPv4Subnet.TryParse("10.0.0.0/24\n", out _, out _, out var error));
        Assert.Contains("\"10.0.0.0/24\\n\"", error);
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("10.0.0.0/16", true)]
    [InlineData("10.0.0.0/30", true)]
    [InlineData("10.0.0.0/31", false)]
    [InlineData("10.0.0.0/32", false)]
    [InlineData("10.0.0.0/7", false)]
    [InlineData("0.0.0.0/0", false)]
    public void Networks_need_a_prefix_from_8_to_30(string text, bool ok)
    {
        var subnet = IPv4Subnet.Parse(text);
        Assert.Equal(ok, IPv4Subnet.TryValidateForNetwork(subnet, out var error));
        Assert.Equal(ok, IPv4Subnet.TryParseNetwork(text, out _, out _, out var error2));
        Assert.Equal(error, error2);
        if (ok) return;
        Assert.Contains(text, error);
        Assert.Contains("/8 to /30", error);
    }

    [Fact]
    public void TryParseNetwork_reports_syntax_errors_first()
    {
        Assert.False(IPv4Subnet.TryParseNetwork("10.0.0.0/33", out _, out _, out var error));
        Assert.Contains("33 is not a prefix length", error);
        Assert.True(IPv4Subnet.TryParseNetwork("10.1.2.3/16", out var subnet, out var host, out _));
        Assert.Equal("10.1.0.0/16", subnet.ToString());
        Assert.Equal(A("10.1.2.3"), host);
    }

    [Theory]
    [InlineData(8, 16777216UL, "255.0.0.0", "10.255.255.255")]
    [InlineData(16, 65536UL, "255.255.0.0", "10.0.255.255")]
    [InlineData(24, 256UL, "255.255.255.0", "10.0.0.255")]
    [InlineData(30, 4UL, "255.255.255.252", "10.0.0.3")]
    [InlineData(31, 2UL, "255.255.255.254", "10.0.0.1")]
    [InlineData(32, 1UL, "255.255.255.255", "10.0.0.0")]
    public void Sizes_masks_and_broadcasts(int prefix, ulong size, string mask, string broadcast)
    {
        var subnet = new IPv4Subnet(A("10.0.0.0"), prefix);
        Assert.Equal(size, subnet.Size);
        Assert.Equal(A(mask), subnet.Mask);
        Assert.Equal(A(broadcast), subnet.Broadcast);
    }

    [Fact]
    public void Slash_zero_is_the_whole_space()
    {
        var all = IPv4Subnet.Parse("0.0.0.0/0");
        Assert.Equal(1UL << 32, all.Size);
        Assert.Equal(0u, all.Mask);
        Assert.Equal(uint.MaxValue, all.Broadcast);
        Assert.True(all.Contains(A("203.0.113.9")));
    }

    [Fact]
    public void The_constructor_refuses_host_bits_and_bad_prefixes()
    {
        Assert.Throws<ArgumentException>(() => new IPv4Subnet(A("10.0.0.1"), 24));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPv4Subnet(0, 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPv4Subnet(0, -1));
    }

    [Fact]
    public void Contains_addresses()
    {
        var s = IPv4Subnet.Parse("10.0.0.0/24");
        Assert.True(s.Contains(A("10.0.0.0")));
        Assert.True(s.Contains(A("10.0.0.255")));
        Assert.False(s.Contains(A("10.0.1.0")));
        Assert.False(s.Contains(A("9.255.255.255")));
    }

    [Theory]
    // a, b, a contains b, b contains a, overlap
    [InlineData("10.0.0.0/24", "10.0.0.0/24", true, true, true)]     // equal
    [InlineData("10.0.0.0/16", "10.0.5.0/24", true, false, true)]    // a wider
    [InlineData("10.0.5.128/25", "10.0.0.0/16", false, true, true)]  // a narrower
    [InlineData("10.0.0.0/24", "10.0.1.0/24", false, false, false)]  // disjoint neighbours
    [InlineData("10.0.0.0/8", "172.16.0.0/12", false, false, false)] // disjoint
    [InlineData("10.0.0.0/24", "10.0.0.0/25", true, false, true)]    // same start, a wider
    [InlineData("10.0.0.0/25", "10.0.0.128/25", false, false, false)]
    public void Contains_and_overlaps_subnets(string a, string b, bool aContainsB, bool bContainsA, bool overlap)
    {
        var x = IPv4Subnet.Parse(a);
        var y = IPv4Subnet.Parse(b);
        Assert.Equal(aContainsB, x.Contains(y));
        Assert.Equal(bContainsA, y.Contains(x));
        Assert.Equal(overlap, x.Overlaps(y));
        Assert.Equal(overlap, y.Overlaps(x));
    }

    [Theory]
    [InlineData("10.0.0.2", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("10", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1.2.3.4.", false)]
    [InlineData(".1.2.3", false)]
    [InlineData("01.2.3.4", false)]
    [InlineData("1.2.3.256", false)]
    [InlineData("1.2.3.4/24", false)]
    [InlineData("::1", false)]
    [InlineData(" 1.2.3.4", false)]
    [InlineData("", false)]
    public void IPv4_TryParse_is_strict(string text, bool ok)
    {
        Assert.Equal(ok, IPv4.TryParse(text, out var address, out var error));
        if (ok)
        {
            Assert.Equal(IPAddress.Parse(text), IPv4.ToAddress(address));
            Assert.Equal(text, IPv4.Format(address));
        }
        else
        {
            Assert.StartsWith($"invalid IPv4 address \"{text}\": ", error);
            Assert.Throws<FormatException>(() => IPv4.Parse(text));
        }
    }

    [Fact]
    public void IPv4_conversions_round_trip()
    {
        Assert.Equal(0x0A000001u, IPv4.ToUInt(IPAddress.Parse("10.0.0.1")));
        Assert.Equal(0xC0A80102u, IPv4.ToUInt(IPAddress.Parse("::ffff:192.168.1.2")));
        Assert.Equal(IPAddress.Parse("172.17.255.254"), IPv4.ToAddress(0xAC11FFFEu));
        Assert.Throws<ArgumentException>(() => IPv4.ToUInt(IPAddress.IPv6Loopback));
        IPv4.TryParse("fe80::1", out _, out var error);
        Assert.Contains("IPv6 is not supported yet", error);
    }
}
