namespace Octavia.Drivers.Amphora.Rest;

/// <summary>What the HAProxy configuration depends on besides the objects (reference/amphora.md §5).</summary>
public sealed record HaproxyRenderOptions
{
    /// <summary>Directory of the stats socket and server-state files on the amphora.</summary>
    public string BasePath { get; init; } = "/var/lib/octavia";

    /// <summary>Directory of the listener certificates on the amphora.</summary>
    public string CertDirectory { get; init; } = "/var/lib/octavia/certs";

    /// <summary><c>[haproxy_amphora] default_connection_limit</c>, used where a listener says -1.</summary>
    public int DefaultConnectionLimit { get; init; } = 50000;

    /// <summary><c>[haproxy_amphora] connection_logging</c>.</summary>
    public bool ConnectionLogging { get; init; } = true;

    /// <summary><c>[haproxy_amphora] haproxy_stick_size</c>.</summary>
    public string StickSize { get; init; } = "10k";

    public int UserLogFacility { get; init; }

    public int AdministrativeLogFacility { get; init; } = 1;

    /// <summary><c>[haproxy_amphora] user_log_format</c>, with <c>{{ project_id }}</c> and <c>{{ lb_id }}</c> placeholders.</summary>
    public string UserLogFormat { get; init; } =
        "{{ project_id }} {{ lb_id }} %f %ci %cp %t %{+Q}r %ST %B %U %[ssl_c_verify] %{+Q}[ssl_c_s_dn] %b %s %Tt %tsc";

    /// <summary>Upper bound of the global maxconn (upstream's HAPROXY_MAX_MAXCONN).</summary>
    public int MaxGlobalConnections { get; init; } = 1_000_000;

    /// <summary>
    /// The open-file limit HAProxy will run under (RLIMIT_NOFILE of the agent, which HAProxy inherits); global and
    /// frontend maxconn are capped to what it allows (<see cref="MaxConnectionsFor"/>). Defaults to this process's
    /// hard limit, since amphorae run on the controller's host here.
    /// </summary>
    public long OpenFileLimit { get; init; } = ProcessOpenFileLimit();

    /// <summary>
    /// How long an old worker may keep serving its connections after a reload before it is stopped
    /// (<c>hard-stop-after</c>); bounds how many old workers pile up under frequent reloads.
    /// </summary>
    public TimeSpan HardStopAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>File descriptors kept aside for listeners, sockets, logs and checks.</summary>
    public const int ReservedFileDescriptors = 50;

    /// <summary>
    /// The largest maxconn HAProxy 2.6 starts with under <paramref name="openFileLimit"/>: it asks for two descriptors per
    /// connection plus two per splice pipe (maxconn / 4 pipes with <c>option splice-*</c>), i.e. 2.5 per connection, and
    /// refuses to start when the limit is lower ("Cannot raise FD limit"). 20,000 gives 7,980.
    /// </summary>
    public static int MaxConnectionsFor(long openFileLimit) =>
        (int)Math.Clamp((openFileLimit - ReservedFileDescriptors) * 2 / 5, 1, int.MaxValue);

    /// <summary>The hard "Max open files" of this process, from /proc/self/limits (1,048,576 when unreadable).</summary>
    public static long ProcessOpenFileLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: >= 5 } && long.TryParse(fields[4], System.Globalization.CultureInfo.InvariantCulture, out var hard) ? hard : 1_048_576;
        }
        catch (IOException)
        {
            return 1_048_576;
        }
    }
}
