using System.Diagnostics;

namespace Octavia.Drivers.Local;

/// <summary>Runs a host tool (<c>ip</c>, <c>nft</c>) with an argument list, never through a shell.</summary>
public static class HostCommand
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public bool Ok => ExitCode == 0;
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, CancellationToken cancellationToken, string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run {file}.");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new Result(process.ExitCode, await output, (await error).Trim());
    }

    /// <summary>Runs the tool and throws with its own words when it fails.</summary>
    public static async Task<string> CheckedAsync(string file, IEnumerable<string> arguments, CancellationToken cancellationToken, string? stdin = null)
    {
        var result = await RunAsync(file, arguments, cancellationToken, stdin);
        if (!result.Ok)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Error}");
        }

        return result.Output;
    }

    public static Task<string> IpAsync(CancellationToken cancellationToken, params string[] arguments) =>
        CheckedAsync("ip", arguments, cancellationToken);
}
