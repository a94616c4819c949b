using System.Buffers;
using System.Text;
using System.Text.Json;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Cli.Commands;

/// <summary>
/// The work of <c>cm price</c>: JSON lines in, one priced JSON line (or one error line) out per
/// non-blank input line, so output line i always answers input option i.
/// </summary>
/// <remarks>
/// Input, one option per line, every field required:
/// <c>{"kind":"call"|"put","forward":F,"strike":K,"years":T,"vol":σ,"rate":r}</c>.
/// Output echoes those fields and adds <c>price</c>, <c>delta</c>, <c>gamma</c>, <c>vega</c>,
/// <c>theta</c>, <c>rho</c> in the units of <see cref="OptionGreeks"/>; numbers are written in
/// the shortest form that round-trips to the same double. A bad line yields
/// <c>{"line":N,"error":"…"}</c> (N counts every input line from 1, blank ones included) on the
/// output and a sentence on the error writer. Serialisation is by hand with
/// <see cref="Utf8JsonWriter"/> and <see cref="JsonDocument"/>: no reflection.
/// </remarks>
public static class PricePipeline
{
    /// <summary>Prices every option in <paramref name="input"/>.</summary>
    /// <param name="input">JSON lines, one option each; blank lines are skipped.</param>
    /// <param name="output">Receives one JSON line per non-blank input line.</param>
    /// <param name="error">Receives one human-readable sentence per bad line.</param>
    /// <returns>0 when every line was priced, 1 when any line was rejected, 2 when the input could not be read.</returns>
    public static int Run(TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping: error messages quote field names, and \u0027 helps no reader.
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var lineNumber = 0L;
        var anyFailed = false;
        try
        {
            while (input.ReadLine() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                var problem = PriceLine(line, writer);
                if (problem is not null)
                {
                    anyFailed = true;
                    buffer.ResetWrittenCount();
                    writer.Reset(buffer);
                    WriteError(writer, lineNumber, problem);
                    error.WriteLine($"cm price: line {lineNumber}: {problem}");
                }

                writer.Flush();
                output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
            }
        }
        catch (IOException ex)
        {
            error.WriteLine($"cm price: cannot read input after line {lineNumber}: {ex.Message}");
            return 2;
        }

        return anyFailed ? 1 : 0;
    }

    /// <summary>Writes the priced line, or returns why the line cannot be priced.</summary>
    private static string? PriceLine(string line, Utf8JsonWriter writer)
    {
        if (!PriceRequest.TryParse(line, out var request, out var problem))
        {
            return problem;
        }

        var greeks = Black76.Greeks(request!.Kind, request.Forward, request.Strike, request.Years, request.Vol, request.Rate);
        if (!(double.IsFinite(greeks.Price) && double.IsFinite(greeks.Delta) && double.IsFinite(greeks.Gamma)
              && double.IsFinite(greeks.Vega) && double.IsFinite(greeks.Theta) && double.IsFinite(greeks.Rho)))
        {
            // Only extreme inputs get here, e.g. a rate and years whose exp(−rT) overflows.
            return "the inputs give a non-finite price or Greek; check 'rate' and 'years' (exp(-rate*years) overflows) and the size of 'forward' and 'strike'";
        }

        writer.WriteStartObject();
        writer.WriteString("kind", request.Kind == OptionKind.Call ? "call" : "put");
        writer.WriteNumber("forward", request.Forward);
        writer.WriteNumber("strike", request.Strike);
        writer.WriteNumber("years", request.Years);
        writer.WriteNumber("vol", request.Vol);
        writer.WriteNumber("rate", request.Rate);
        writer.WriteNumber("price", greeks.Price);
        writer.WriteNumber("delta", greeks.Delta);
        writer.WriteNumber("gamma", greeks.Gamma);
        writer.WriteNumber("vega", greeks.Vega);
        writer.WriteNumber("theta", greeks.Theta);
        writer.WriteNumber("rho", greeks.Rho);
        writer.WriteEndObject();
        return null;
    }

    private static void WriteError(Utf8JsonWriter writer, long lineNumber, string problem)
    {
        writer.WriteStartObject();
        writer.WriteNumber("line", lineNumber);
        writer.WriteString("error", problem);
        writer.WriteEndObject();
    }
}
