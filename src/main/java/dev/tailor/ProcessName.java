package dev.tailor;

/** host#pid: names a process's job schedulers, so the job tables show which process runs what. */
public final class ProcessName {

    private ProcessName() {}

    public static String current() {
        return host() + "#" + ProcessHandle.current().pid();
    }

    /** This host's name, as the process names give it. */
    public static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown-host";
        }
    }
}
