namespace Octavia.EndToEnd;

/// <summary>A temporary state directory with an octavia.conf in it; removed on dispose.</summary>
public sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "octavia-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string ConfigFile => System.IO.Path.Combine(Path, "octavia.conf");

    /// <summary>
    /// Writes octavia.conf with the given sections (state_path always set to this directory); the no-op
    /// drivers unless <paramref name="extra"/> has its own <c>[controller_worker]</c>, and the network API
    /// of <c>octavia all</c> on a free port unless it has its own <c>[network_api]</c> (tests run side by side).
    /// </summary>
    public void WriteConfig(string extra) =>
        File.WriteAllText(ConfigFile, $"[DEFAULT]\nstate_path = {Path}\n\n{extra}\n"
            + (extra.Contains("[controller_worker]", StringComparison.Ordinal) ? "" : NoopDrivers)
            + (extra.Contains("[network_api]", StringComparison.Ordinal) ? "" : "\n[network_api]\nbind_host = 127.0.0.1\nbind_port = 0\n"));

    private const string NoopDrivers = """

        [controller_worker]
        compute_driver = compute_noop_driver
        network_driver = network_noop_driver
        amphora_driver = amphora_noop_driver

        [health_manager]
        bind_ip = 127.0.0.1
        bind_port = 0

        """;

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
