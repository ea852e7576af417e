using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Drivers;

namespace Octavia.Api.Tests.Housekeeping;

/// <summary>
/// <c>octavia all</c> with drivers the tests control: a compute driver that is not the no-op one (so spares
/// are kept) and an amphora driver that can fail. Spares are kept only when the pool size is above 0;
/// the cleanup and rotation loops run once at start and then only when a test calls them.
/// </summary>
public abstract class HousekeepingFixture(bool postgres, int poolSize) : OctaviaFixture
{
    public FakeComputeDriver Compute { get; } = new();

    public FakeAmphoraDriver Amphorae { get; } = new();

    protected override bool UsePostgres => postgres;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["house_keeping:spare_amphora_pool_size"] = poolSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["house_keeping:spare_check_interval"] = "0.2",
        ["house_keeping:cert_interval"] = "3600",
        ["house_keeping:cleanup_interval"] = "3600",
        ["house_keeping:cert_rotate_threads"] = "2",
        ["task_flow:task_max_attempts"] = "2",
        ["task_flow:task_retry_initial_delay"] = "0.01",
    };

    protected override void OverrideServices(IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IComputeDriver>(Compute));
        services.Replace(ServiceDescriptor.Singleton<IAmphoraDriver>(Amphorae));
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds; fails with <paramref name="what"/> after <paramref name="seconds"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}

public sealed class SparePoolSqliteFixture() : HousekeepingFixture(postgres: false, poolSize: 2);

public sealed class SparePoolPostgresFixture() : HousekeepingFixture(postgres: true, poolSize: 2);

public sealed class RotationSqliteFixture() : HousekeepingFixture(postgres: false, poolSize: 0);

public sealed class RotationPostgresFixture() : HousekeepingFixture(postgres: true, poolSize: 0);
