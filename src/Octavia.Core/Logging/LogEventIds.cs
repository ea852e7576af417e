namespace Octavia.Core.Logging;

/// <summary>
/// Every logging EventId of the project, in one place so that no two messages share one. Each project owns
/// a range of a thousand: Api 1000, Db 2000, Controller 3000, Health 4000, Housekeeping 5000, NetworkApi
/// 6000, the amphora agent 7000, the executable and drivers 8000. <c>LogEventIdsTests</c> fails on a duplicate
/// or on a <c>[LoggerMessage]</c> whose id is not listed here.
/// </summary>
public static class LogEventIds
{
    // Octavia.Api and Octavia.Http
    public const int OpenStackMiddlewareUnexpected = 1001;
    public const int KeystoneClientServiceTokenObtained = 1101;
    public const int KeystoneClientTokenRejected = 1102;
    public const int KeystoneClientUnavailable = 1103;
    public const int KeystoneClientServiceCredentialsRejected = 1104;
    public const int KeystoneClientServiceForbidden = 1105;
    public const int KeystoneClientIdentityFound = 1106;
    public const int KeystoneDiscoveryUnavailable = 1107;

    // Octavia.Db
    public const int PostgresJobListenerListenFailed = 2001;

    // Octavia.Controller
    public const int FlowRunnerTaskFailed = 3001;
    public const int FlowRunnerRevertFailed = 3002;
    public const int FlowRunnerLeaseLost = 3003;
    public const int FlowRunnerRenewalFailed = 3004;
    public const int FlowRunnerGaveUp = 3005;
    public const int JobWorkerStarted = 3101;
    public const int JobWorkerRunFailed = 3102;
    public const int JobWorkerClaimFailed = 3103;
    public const int AmphoraTasksBooted = 3301;
    public const int AmphoraTasksAllocated = 3302;
    public const int AmphoraTasksSpareRetired = 3303;
    public const int AmphoraTasksCertificateRotated = 3304;

    // Octavia.Health
    public const int HeartbeatReceiverListening = 4001;
    public const int HeartbeatReceiverNoKey = 4002;
    public const int HeartbeatReceiverSummary = 4003;
    public const int HeartbeatProcessorBatchFailed = 4101;
    public const int HeartbeatProcessorListenerCountMismatch = 4102;
    public const int HeartbeatProcessorTooOld = 4103;
    public const int HeartbeatProcessorZombie = 4104;
    public const int HeartbeatProcessorZombieDeleteFailed = 4105;
    public const int StaleAmphoraScannerScanFailed = 4201;
    public const int StaleAmphoraScannerLoadBalancerBusy = 4202;
    public const int StaleAmphoraScannerFailoverStarted = 4203;
    public const int StaleAmphoraScannerCircuitBreaker = 4204;

    // Octavia.Housekeeping
    public const int HousekeepingLoopPassFailed = 5001;
    public const int SpareAmphoraPoolOrdered = 5101;
    public const int SpareAmphoraPoolNoopCompute = 5102;
    public const int DatabaseCleanupAmphoraPurged = 5201;
    public const int DatabaseCleanupLoadBalancerPurged = 5202;
    public const int DatabaseCleanupJobsPurged = 5203;
    public const int CertificateRotationRotationStarted = 5301;

    // Octavia.NetworkApi
    public const int NeutronMiddlewareUnexpected = 6001;

    // Octavia.Amphora
    public const int HaproxyProcessManagerStarted = 7101;
    public const int HaproxyProcessManagerReloaded = 7102;
    public const int HaproxyProcessManagerStopped = 7103;
    public const int HaproxyProcessManagerServerStateNotSaved = 7104;
    public const int InterfacePluggerCommandFailed = 7201;
    public const int InterfacePluggerAnnounceFailed = 7202;
    public const int HeartbeatSenderNoReceiver = 7301;
    public const int HeartbeatSenderBadReceiver = 7302;
    public const int HeartbeatSenderStatsUnavailable = 7303;
    public const int HeartbeatSenderSendFailed = 7304;
    public const int HeartbeatSenderCountersUnreadable = 7305;
    public const int HeartbeatSenderCountersNotSaved = 7306;
    public const int HeartbeatSenderHeartbeatFailed = 7307;
    public const int HeartbeatSenderTooLarge = 7308;
}
