using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

// query --server IP --name NAME [--count 2000] [--warmup 200]: the issue-13 spike's loop. Sequential A queries over one
//   connected UDP socket, each waiting for its answer (1 s timeout); prints p50/p90/p99/max in µs over the counted ones.
// feed --control PATH --names N [--network n1] [--asker 10.213.0.2] [--prefix 10.213]: one "replace" with the asking
//   container and N named containers on one network ("db" at PREFIX.0.3, then c1, c2, … at PREFIX.1.2 and up).
// send --control PATH --line JSON: one control request; its reply is printed.
// lines --server IP [--timeout-ms 1000]: reads one name per line on stdin, asks each once (A) and prints one line per name:
//   "RCODE ip ip …" (RCODE numeric, "timeout" when no answer came), so that a shell can query between CLI calls
//   without starting a process per query.
// paced --server IP --name NAME [--interval-us 200] [--timeout-ms 20] [--seconds 10]: queries sent at a steady rate
//   (due ones sent each ~1 ms, so about one per interval) without waiting for answers; a query counts answered when an
//   answer with at least one record arrives within the timeout (timed when this process reads it, so a loaded machine
//   that delays this process counts as loss too). Prints answered/total, %, the longest run lost and how many answers
//   came after the timeout.
var options = new Dictionary<string, string>();
for (var i = 1; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
string Get(string name, string? fallback = null) => options.GetValueOrDefault(name) ?? fallback ?? throw new ArgumentException($"{name} is required");
int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

switch (args.FirstOrDefault())
{
    case "query": return Query();
    case "feed": return Feed();
    case "send": return Send(Get("--line"), out _);
    case "lines": return Lines();
    case "paced": return Paced();
    default: Console.Error.WriteLine("usage: query --server IP --name NAME [--count N] [--warmup N] | feed --control PATH --names N"); return 2;
}

int Query()
{
    var name = Get("--name");
    int count = Int("--count", 2000), warmup = Int("--warmup", 200);
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    socket.Connect(new IPEndPoint(IPAddress.Parse(Get("--server")), 53));
    socket.ReceiveTimeout = 1000;
    var reply = new byte[1500];
    var micros = new List<double>(count);
    int lost = 0, bad = 0;
    for (var i = 0; i < warmup + count; i++)
    {
        var id = (ushort)i;
        var query = Encode(id, name);
        var started = Stopwatch.GetTimestamp();
        socket.Send(query);
        var ok = false;
        while (true)
        {
            int n;
            try { n = socket.Receive(reply); }
            catch (SocketException) { break; }
            if (n < 12 || BinaryPrimitives.ReadUInt16BigEndian(reply) != id) continue; // a late answer to an earlier query
            ok = (reply[3] & 0x0F) == 0 && BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6)) >= 1;
            if (!ok) bad++;
            break;
        }
        var us = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        if (i < warmup) continue;
        if (ok) micros.Add(us); else lost++;
    }
    micros.Sort();
    double P(double p) => micros.Count == 0 ? double.NaN : micros[Math.Min(micros.Count - 1, (int)Math.Ceiling(p * micros.Count) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"p50 {P(0.50):F1} us  p90 {P(0.90):F1}  p99 {P(0.99):F1}  max {P(1):F1}  answered {micros.Count}/{count} (bad rcode {bad})"));
    return lost == 0 ? 0 : 1;
}

int Feed()
{
    int names = Int("--names", 10);
    var network = Get("--network", "n1");
    var prefix = Get("--prefix", "10.213");
    var json = new StringBuilder("{\"op\":\"replace\",\"containers\":[");
    void Add(string id, string ip, string name) =>
        json.Append(CultureInfo.InvariantCulture, $"{{\"container\":\"{id}\",\"endpoints\":[{{\"network\":\"{network}\",\"ip\":\"{ip}\",\"names\":[\"{name}\"]}}]}},");
    Add("asker", Get("--asker", prefix + ".0.2"), "asker");
    Add("db", prefix + ".0.3", "db");
    for (var i = 1; i < names; i++) Add("c" + i, $"{prefix}.{1 + i / 250}.{2 + i % 250}", "c" + i);
    json.Length--;
    json.Append("]}");
    return Send(json.ToString(), out _);
}

int Send(string line, out string? answer)
{
    using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    socket.Connect(new UnixDomainSocketEndPoint(Get("--control")));
    using var stream = new NetworkStream(socket);
    stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
    answer = new StreamReader(stream).ReadLine();
    if (answer == "{\"ok\":true}") return 0;
    Console.Error.WriteLine($"refused: {answer}");
    return 1;
}

int Lines()
{
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    socket.Connect(new IPEndPoint(IPAddress.Parse(Get("--server")), 53));
    socket.ReceiveTimeout = Int("--timeout-ms", 1000);
    var reply = new byte[1500];
    ushort id = 0;
    while (Console.ReadLine() is { } name)
    {
        id++;
        socket.Send(Encode(id, name.Trim()));
        var line = "timeout";
        while (true)
        {
            int n;
            try { n = socket.Receive(reply); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut) { break; }
            catch (SocketException) { line = "unreachable"; break; } // ICMP port unreachable: nobody listens
            if (n < 12 || BinaryPrimitives.ReadUInt16BigEndian(reply) != id) continue;
            line = string.Join(' ', [(reply[3] & 0x0F).ToString(CultureInfo.InvariantCulture), .. Addresses(reply.AsSpan(0, n))]);
            break;
        }
        Console.WriteLine(line);
        Console.Out.Flush();
    }
    return 0;
}

int Paced()
{
    var query = Get("--name");
    long interval = Int("--interval-us", 200), timeoutUs = Int("--timeout-ms", 20) * 1000L;
    var total = (int)(Int("--seconds", 10) * 1_000_000L / interval);
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    socket.Connect(new IPEndPoint(IPAddress.Parse(Get("--server")), 53));
    socket.ReceiveTimeout = 100;
    var sentAt = new long[total];
    var answered = new bool[total];
    var late = 0;
    var sent = 0;
    var done = false;
    var receiver = new Thread(() =>
    {
        var reply = new byte[1500];
        while (!Volatile.Read(ref done))
        {
            int n;
            try { n = socket.Receive(reply); }
            catch (SocketException) { continue; } // timeout, or ICMP port unreachable while the resolver is away
            var now = Stopwatch.GetTimestamp();
            if (n < 12 || (reply[3] & 0x0F) != 0 || BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6)) < 1) continue;
            var last = Volatile.Read(ref sent) - 1;
            var seq = last - ((last - BinaryPrimitives.ReadUInt16BigEndian(reply)) & 0xFFFF);
            if (seq < 0) continue;
            if (Stopwatch.GetElapsedTime(sentAt[seq], now).TotalMicroseconds <= timeoutUs) answered[seq] = true; else late++;
        }
    });
    receiver.Start();
    var start = Stopwatch.GetTimestamp();
    while (sent < total)
    {
        var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start).TotalMicroseconds / interval) + 1);
        for (; sent < due; Volatile.Write(ref sent, sent + 1))
        {
            sentAt[sent] = Stopwatch.GetTimestamp();
            try { socket.Send(Encode((ushort)sent, query)); } catch (SocketException) { } // refused by an earlier ICMP
        }
        Thread.Sleep(1);
    }
    Thread.Sleep((int)(timeoutUs / 1000) + 100);
    Volatile.Write(ref done, true);
    receiver.Join();
    int ok = answered.Count(a => a), run = 0, longest = 0;
    foreach (var a in answered) { run = a ? 0 : run + 1; longest = Math.Max(longest, run); }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"answered {ok}/{total} ({100.0 * ok / total:F3}%)  longest run lost {longest} ({longest * interval / 1000.0:F1} ms), answered late {late}"));
    return 0;
}

// The A records' addresses in an answer (the question section skipped; compressed names are 2 bytes).
static IEnumerable<string> Addresses(ReadOnlySpan<byte> m)
{
    var result = new List<string>();
    var at = 12;
    int Skip(ReadOnlySpan<byte> m, int at)
    {
        while (m[at] != 0) { if ((m[at] & 0xC0) == 0xC0) return at + 2; at += m[at] + 1; }
        return at + 1;
    }
    at = Skip(m, at) + 4;
    for (var i = 0; i < BinaryPrimitives.ReadUInt16BigEndian(m[6..]); i++)
    {
        at = Skip(m, at);
        int type = BinaryPrimitives.ReadUInt16BigEndian(m[at..]), length = BinaryPrimitives.ReadUInt16BigEndian(m[(at + 8)..]);
        if (type == 1 && length == 4) result.Add(new IPAddress(m.Slice(at + 10, 4)).ToString());
        at += 10 + length;
    }
    return result;
}

static byte[] Encode(ushort id, string name)
{
    var bytes = new List<byte> { (byte)(id >> 8), (byte)id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
    foreach (var label in name.Split('.'))
    {
        bytes.Add((byte)label.Length);
        bytes.AddRange(Encoding.ASCII.GetBytes(label));
    }
    bytes.AddRange([0, 0, 1, 0, 1]);
    return [.. bytes];
}
