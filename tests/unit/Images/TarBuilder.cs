using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace MyDocker.UnitTests.Images;

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
}
