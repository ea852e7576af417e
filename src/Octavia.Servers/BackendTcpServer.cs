using System.Net.Sockets;

namespace Octavia.Servers;

/// <summary>TCP mode: greets each connection with the server's name line, then echoes what it reads until the peer closes.</summary>
internal sealed class BackendTcpServer(byte[] nameLine)
{
    public async Task ServeAsync(Socket connection, CancellationToken cancellationToken)
    {
        await connection.SendAsync(nameLine, SocketFlags.None, cancellationToken);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            await connection.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
        }

        connection.Shutdown(SocketShutdown.Send);
    }
}
