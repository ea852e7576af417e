using System.Net.Sockets;
using System.Text;

namespace Octavia.Amphora.Haproxy;

/// <summary>
/// One command on an HAProxy UNIX socket (the stats socket or the master CLI): HAProxy answers and closes
/// only once the client has shut down its sending side, so the command is followed by a half-close.
/// </summary>
public static class HaproxySocket
{
    public static async Task<string> CommandAsync(string path, string command, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), SocketFlags.None, cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
        var answer = new StringBuilder();
        var buffer = new byte[16384];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return answer.ToString();
    }

    /// <summary>
    /// Like <see cref="CommandAsync"/>, retried while the socket refuses or resets: the master CLI goes away for a
    /// moment while the master re-executes itself during a reload.
    /// </summary>
    public static async Task<string> CommandWithRetryAsync(string path, string command, TimeSpan patience, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var giveUpAt = time.GetUtcNow() + patience;
        while (true)
        {
            try
            {
                return await CommandAsync(path, command, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset
                or SocketError.AddressNotAvailable or SocketError.Shutdown && time.GetUtcNow() < giveUpAt)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
            }
        }
    }
}
