// End-to-end tests start real processes and measure time-bound behaviour (a worker must finish every
// flow within 10 s of its restart): they run one at a time so they do not starve each other of the CPU.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
