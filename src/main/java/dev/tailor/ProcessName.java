package dev.tailor;

/** host#pid: names a process's job schedulers, so the job tables show which process runs what. */
public final class ProcessName {

    private ProcessName() {}

    public static String current() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "#" + ProcessHandle.current().pid();
    }
}
