using Octavia.Commands;

return await OctaviaCommandLine.RunAsync(args);
