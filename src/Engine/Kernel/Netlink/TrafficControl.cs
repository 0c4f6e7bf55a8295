namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>
/// One instruction of a classic BPF program (struct sock_filter in linux/filter.h: u16 code, u8 jt, u8 jf, u32 k, in
/// host byte order). Jumps are relative: the next instruction is index + 1 + jt (or jf).
/// </summary>
public readonly record struct ClassicBpfInstruction(ushort Code, byte Jt, byte Jf, uint K)
{
    public const int Size = 8;

    // Opcode parts (linux/bpf_common.h).
    public const ushort LD = 0x00, JMP = 0x05, RET = 0x06;
    public const ushort W = 0x00, B = 0x10, ABS = 0x20, JEQ = 0x10, K_SRC = 0x00;
    /// <summary>linux/filter.h: loads at SKF_AD_OFF + n read skb metadata instead of packet bytes; n = 0 is skb->protocol
    /// (host order: 0x0800 for IPv4).</summary>
    public const uint SKF_AD_PROTOCOL = unchecked((uint)-0x1000);

    /// <summary>A = skb->protocol.</summary>
    public static ClassicBpfInstruction LoadProtocol() => new(LD | W | ABS, 0, 0, SKF_AD_PROTOCOL);

    /// <summary>A = the byte at <paramref name="offset"/> from the start of the frame.</summary>
    public static ClassicBpfInstruction LoadByte(uint offset) => new(LD | B | ABS, 0, 0, offset);

    /// <summary>if (A == k) skip <paramref name="ifEqual"/> instructions else skip <paramref name="otherwise"/>.</summary>
    public static ClassicBpfInstruction JumpIfEqual(uint k, byte ifEqual, byte otherwise) => new(JMP | JEQ | K_SRC, ifEqual, otherwise, k);

    /// <summary>Ends the program with <paramref name="value"/>.</summary>
    public static ClassicBpfInstruction Return(uint value) => new(RET | K_SRC, 0, 0, value);

    public void Write(Span<byte> s)
    {
        NetlinkMessageWriter.WriteUInt16(s, Code);
        s[2] = Jt;
        s[3] = Jf;
        NetlinkMessageWriter.WriteUInt32(s[4..], K);
    }

    public static ClassicBpfInstruction Read(ReadOnlySpan<byte> s) =>
        new(NetlinkAttributeReader.ReadUInt16(s), s[2], s[3], NetlinkAttributeReader.ReadUInt32(s[4..]));
}

/// <summary>A filter on a device's tc ingress hook, as the kernel reports it.</summary>
/// <param name="Kind">TCA_KIND ("bpf", "u32", ...).</param>
/// <param name="Priority">The filter's priority (lower runs first).</param>
/// <param name="Handle">Its handle within the priority (0 for the entry that only announces a priority).</param>
/// <param name="ClassicProgram">A "bpf" filter's classic program (TCA_BPF_OPS), or null.</param>
/// <param name="DirectAction">TCA_BPF_FLAG_ACT_DIRECT: the program's return value is the verdict.</param>
public sealed record TcFilterInfo(string Kind, ushort Priority, uint Handle, IReadOnlyList<ClassicBpfInstruction>? ClassicProgram, bool DirectAction);
