using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MyDocker.Cli.Output;

/// <summary>
/// Re-indents JSON the daemon sent, without binding it to our types, so fields this client does not know are
/// printed too. Indented with 4 spaces like the docker CLI's <c>json.MarshalIndent</c>.
/// </summary>
public static class JsonOutput
{
    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        IndentSize = 4,
        // Print addresses, '+', '<' etc. as they are rather than \u002B escapes; this is terminal output, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the given JSON documents (each one raw UTF-8) as one indented JSON array and a newline.</summary>
    public static void WriteArray(TextWriter writer, IReadOnlyList<byte[]> items)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            json.WriteStartArray();
            foreach (var item in items)
            {
                using var doc = JsonDocument.Parse(item);
                doc.RootElement.WriteTo(json);
            }
            json.WriteEndArray();
        }
        writer.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        writer.Write('\n');
    }

    /// <summary>Writes one raw UTF-8 JSON document indented, and a newline.</summary>
    public static void Write(TextWriter writer, byte[] document)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, Indented))
        using (var doc = JsonDocument.Parse(document))
        {
            doc.RootElement.WriteTo(json);
        }
        writer.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        writer.Write('\n');
    }
}
