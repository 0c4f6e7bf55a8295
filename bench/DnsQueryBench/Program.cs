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
var options = new Dictionary<string, string>();
for (var i = 1; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
string Get(string name, string? fallback = null) => options.GetValueOrDefault(name) ?? fallback ?? throw new ArgumentException($"{name} is required");
int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

switch (args.FirstOrDefault())
{
    case "query": return Query();
    case "feed": return Feed();
    case "send": return Send(Get("--line"), out _);
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
