namespace Octavia.Core.Security;

/// <summary>
/// Files holding secrets (keys, certificates with their keys, agent configurations): created with mode
/// 0600 before a byte is written, and replaced by a rename so that no reader sees half a file.
/// </summary>
public static class SecretFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, string content) =>
        WriteAsync(path, System.Text.Encoding.UTF8.GetBytes(content), CancellationToken.None).GetAwaiter().GetResult();

    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temporary = path + ".new";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly };
        await using (var stream = new FileStream(temporary, options))
        {
            await stream.WriteAsync(content, cancellationToken);
        }

        // An existing file keeps its old mode on open: set it, whatever was there before.
        File.SetUnixFileMode(temporary, OwnerOnly);
        File.Move(temporary, path, overwrite: true);
    }
}
