using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace MyDocker.TestSupport;

/// <summary>Builds tarballs in memory for the tests, including ones no honest tool would write.</summary>
internal sealed class TarBuilder
{
    public static readonly DateTimeOffset Time = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly List<Action<TarWriter>> _entries = new();

    public TarBuilder Dir(string name, int mode = 0x1ed, int uid = 0, int gid = 0) => Add(new PaxTarEntry(TarEntryType.Directory, name)
    {
        Mode = (UnixFileMode)mode, Uid = uid, Gid = gid, ModificationTime = Time,
    });

    public TarBuilder File(string name, string content, int mode = 0x1a4, int uid = 0, int gid = 0) => File(name, Encoding.UTF8.GetBytes(content), mode, uid, gid);

    public TarBuilder File(string name, byte[] content, int mode = 0x1a4, int uid = 0, int gid = 0) => Add(new PaxTarEntry(TarEntryType.RegularFile, name)
    {
        Mode = (UnixFileMode)mode, Uid = uid, Gid = gid, ModificationTime = Time, DataStream = new MemoryStream(content),
    });

    public TarBuilder Symlink(string name, string target) => Add(new PaxTarEntry(TarEntryType.SymbolicLink, name)
    {
        LinkName = target, Mode = (UnixFileMode)0x1ff, ModificationTime = Time,
    });

    public TarBuilder HardLink(string name, string target) => Add(new PaxTarEntry(TarEntryType.HardLink, name)
    {
        LinkName = target, Mode = (UnixFileMode)0x1a4, ModificationTime = Time,
    });

    public TarBuilder Special(string name, TarEntryType type, int major = 0, int minor = 0, int mode = 0x1b6)
    {
        var entry = new PaxTarEntry(type, name) { Mode = (UnixFileMode)mode, ModificationTime = Time };
        if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            entry.DeviceMajor = major;
            entry.DeviceMinor = minor;
        }
        return Add(entry);
    }

    private TarBuilder Add(TarEntry entry)
    {
        _entries.Add(w => w.WriteEntry(entry));
        return this;
    }

    public byte[] Build()
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var e in _entries) e(w);
        return ms.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>One ustar header block, written by hand: the size and type any archive may claim (TarWriter would
    /// refuse to write a 100 MB PAX header it was not given).</summary>
    public static byte[] RawHeader(string name, char type, long size)
    {
        var h = new byte[512];
        void Put(int offset, string text) => Encoding.ASCII.GetBytes(text).CopyTo(h, offset);
        Put(0, name);
        Put(100, "0000644\0");
        Put(108, "0000000\0");
        Put(116, "0000000\0");
        Put(124, Convert.ToString(size, 8).PadLeft(11, '0') + "\0");
        Put(136, "00000000000\0");
        h[156] = (byte)type;
        Put(257, "ustar\0" + "00");
        Put(148, "        ");
        int sum = h.Sum(b => b);
        Put(148, Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ");
        return h;
    }

    /// <summary>A PAX extended header entry with the given records, then one empty regular file it applies to.</summary>
    public static byte[] PaxThenFile(params (string Key, string Value)[] records)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in records)
        {
            string body = $" {key}={value}\n";
            int n = body.Length + 1;
            while ((n + body).Length != n) n = (n + body).Length;
            text.Append(n).Append(body);
        }
        byte[] data = Encoding.ASCII.GetBytes(text.ToString());
        return [.. RawHeader("pax", 'x', data.Length), .. data, .. new byte[(512 - data.Length % 512) % 512],
                .. RawHeader("file", '0', 0), .. new byte[1024]];
    }
}
