// Amphorae are Linux namespaces and processes, and key files rely on Unix file modes: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
