namespace Octavia.Servers;

/// <summary>What a built-in backend server speaks.</summary>
public enum BackendServerProtocol
{
    /// <summary>HTTP/1.1: names itself on <c>/</c>, has a toggleable <c>/healthcheck</c>, echoes <c>/headers</c>.</summary>
    Http,

    /// <summary>Writes its name, then echoes every byte it reads.</summary>
    Tcp,
}
