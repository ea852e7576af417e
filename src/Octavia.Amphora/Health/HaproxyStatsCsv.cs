using System.Globalization;

namespace Octavia.Amphora.Health;

/// <summary>
/// Reads the CSV answer of HAProxy's <c>show stat</c> (management guide §9.1): a <c># pxname,svname,...</c>
/// header, then one row per frontend, server and backend. Columns are found by their header name, so rows
/// of other HAProxy versions, with more or fewer columns, read the same. Quoted fields (HAProxy quotes a free
/// text that holds a comma) are skipped over correctly; none of the columns read here is ever quoted.
/// </summary>
internal static class HaproxyStatsCsv
{
    public static List<HaproxyStatRow> Parse(string csv)
    {
        var rows = new List<HaproxyStatRow>();
        var text = csv.AsSpan();
        Columns? columns = null;
        foreach (var range in text.Split('\n'))
        {
            var line = text[range].TrimEnd('\r');
            if (line.IsEmpty)
            {
                continue;
            }

            if (line[0] == '#')
            {
                columns = Columns.From(line[1..].TrimStart(' '));
            }
            else if (columns is not null && columns.TryRead(line, out var row))
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>Which needed value each column holds, from the header.</summary>
    private sealed class Columns
    {
        private static readonly string[] Names = ["pxname", "svname", "type", "status", "scur", "slim", "stot", "bin", "bout", "ereq"];

        /// <summary>For each column up to the last needed one, its place in <see cref="Names"/>, or -1.</summary>
        private readonly int[] _valueOf;

        private Columns(int[] valueOf)
        {
            _valueOf = valueOf;
        }

        public static Columns From(ReadOnlySpan<char> header)
        {
            var valueOf = new List<int>();
            var position = 0;
            while (position <= header.Length)
            {
                var name = NextField(header, ref position);
                var value = -1;
                for (var i = 0; i < Names.Length && value < 0; i++)
                {
                    if (name.SequenceEqual(Names[i]))
                    {
                        value = i;
                    }
                }

                valueOf.Add(value);
            }

            return new Columns([.. valueOf.Take(valueOf.FindLastIndex(v => v >= 0) + 1)]);
        }

        /// <summary>False for a row without a name, a service name and a type, or cut short.</summary>
        public bool TryRead(ReadOnlySpan<char> line, out HaproxyStatRow row)
        {
            row = default;
            Span<Range> fields = stackalloc Range[Names.Length];
            fields.Fill(new Range(0, 0));
            var position = 0;
            for (var column = 0; column < _valueOf.Length; column++)
            {
                if (position > line.Length)
                {
                    return false;
                }

                var start = position;
                var field = NextField(line, ref position);
                if (_valueOf[column] >= 0)
                {
                    fields[_valueOf[column]] = new Range(start, start + field.Length);
                }
            }

            var name = Unquote(line[fields[0]]);
            var service = Unquote(line[fields[1]]);
            if (name.IsEmpty || service.IsEmpty || !int.TryParse(Unquote(line[fields[2]]), NumberStyles.None, CultureInfo.InvariantCulture, out var type))
            {
                return false;
            }

            row = new HaproxyStatRow(name.ToString(), service.ToString(), (HaproxyStatType)type, Unquote(line[fields[3]]).ToString(),
                Number(line[fields[4]]), Number(line[fields[5]]), Number(line[fields[6]]), Number(line[fields[7]]), Number(line[fields[8]]),
                Number(line[fields[9]]));
            return true;
        }

        private static long Number(ReadOnlySpan<char> field) =>
            long.TryParse(Unquote(field), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    /// <summary>The field starting at <paramref name="position"/>; afterwards it points past the comma that ends it.</summary>
    private static ReadOnlySpan<char> NextField(ReadOnlySpan<char> line, ref int position)
    {
        var start = position;
        var i = position;
        if (i < line.Length && line[i] == '"')
        {
            // A quoted field ends at a quote not doubled; commas inside it belong to it.
            for (i++; i < line.Length; i++)
            {
                if (line[i] == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        i++;
                    }
                    else
                    {
                        i++;
                        break;
                    }
                }
            }
        }

        while (i < line.Length && line[i] != ',')
        {
            i++;
        }

        position = i + 1;
        return line[start..i];
    }

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field) =>
        field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1] : field;
}
