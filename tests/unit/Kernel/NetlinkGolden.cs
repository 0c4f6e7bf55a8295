using MyDocker.Engine.Kernel.Netlink;

namespace MyDocker.UnitTests.Kernel;

/// <summary>The bytes a request builder writes, for comparing with golden bytes taken from iproute2.</summary>
internal static class NetlinkGolden
{
    public delegate void Request(ref NetlinkMessageWriter w);

    public static byte[] Build(Request build)
    {
        Span<byte> buffer = stackalloc byte[1024];
        buffer.Fill(0xEE); // padding must be written as zeros, not left over
        var w = new NetlinkMessageWriter(buffer);
        build(ref w);
        return w.Written.ToArray();
    }
}
