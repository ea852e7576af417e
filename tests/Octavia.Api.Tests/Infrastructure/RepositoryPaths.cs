namespace Octavia.Api.Tests.Infrastructure;

/// <summary>Files of the checkout the tests run from (policy files in etc/, project files in src/).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Octavia.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Octavia.slnx not found above " + AppContext.BaseDirectory);
    }
}
