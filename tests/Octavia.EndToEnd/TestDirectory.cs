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

    /// <summary>Writes octavia.conf with the given sections (state_path always set to this directory).</summary>
    public void WriteConfig(string extra) =>
        File.WriteAllText(ConfigFile, $"[DEFAULT]\nstate_path = {Path}\n\n{extra}\n");

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
