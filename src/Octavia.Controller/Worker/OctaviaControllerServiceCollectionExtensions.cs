using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Octavia.Controller.Engine;
using Octavia.Controller.Flows;
using Octavia.Core.Configuration;
using Octavia.Core.Jobs;
using Octavia.Db.Jobs;

namespace Octavia.Controller.Worker;

public static class OctaviaControllerServiceCollectionExtensions
{
    /// <summary>Registers the worker role: flow engine, flows and the job-claiming hosted service.</summary>
    public static IServiceCollection AddOctaviaWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TaskFlowOptions>().Bind(configuration.GetSection(TaskFlowOptions.SectionName))
            .Validate(o => o.MaxWorkers >= 1 && o.JobMaxAttempts >= 1 && o.TaskMaxAttempts >= 1,
                "[task_flow] max_workers, job_max_attempts and task_max_attempts must be at least 1.")
            .Validate(o => o.JobLeaseSeconds > 0 && o.JobPollInterval > 0 && o.TaskRetryInitialDelay >= 0 && o.TaskRetryMaxDelay >= o.TaskRetryInitialDelay,
                "[task_flow] job_lease_seconds and job_poll_interval must be above 0, and task_retry_max_delay at least task_retry_initial_delay (neither negative).")
            .ValidateOnStart();
        services.AddOptions<DefaultOptions>().Bind(configuration.GetSection(DefaultOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        // Woken when a flow takes a spare amphora, so that housekeeping in the same process replaces it at once.
        services.TryAddKeyedSingleton<JobSignal>(JobKinds.AmphoraCreateSpare);
        services.AddSingleton<FlowBuilder>();
        services.AddSingleton<FlowRunner>();
        services.AddHostedService<PostgresJobListener>();
        services.AddHostedService<JobWorker>();
        return services;
    }
}
