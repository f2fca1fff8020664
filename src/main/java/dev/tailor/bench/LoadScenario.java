package dev.tailor.bench;

/**
 * One kind of request a load run repeats: {@code body} is JSON sent with a POST, or null for a GET;
 * any status but {@code expected} counts as an error.
 */
record LoadScenario(String name, String method, String path, String body, int expected) {

    static LoadScenario get(String name, String path) {
        return new LoadScenario(name, "GET", path, null, 200);
    }

    static LoadScenario postJson(String name, String path, String json) {
        return new LoadScenario(name, "POST", path, json, 200);
    }
}
