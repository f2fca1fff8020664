package dev.tailor.jobs;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The settings in which two job specs differ, field by field in the spec's order: what a job was
 * created with against what a command asks for now (a default may have changed in between).
 */
final class SpecDifferences {

    /** One setting's two values. */
    record Difference(Object stored, Object asked) {}

    private SpecDifferences() {}

    static Map<String, Difference> between(TrainingJobSpec stored, TrainingJobSpec asked) {
        Map<String, Difference> differences = new LinkedHashMap<>();
        for (RecordComponent component : TrainingJobSpec.class.getRecordComponents()) {
            Object before = value(component, stored);
            Object now = value(component, asked);
            if (!Objects.equals(before, now)) {
                differences.put(component.getName(), new Difference(before, now));
            }
        }
        return differences;
    }

    private static Object value(RecordComponent component, TrainingJobSpec spec) {
        try {
            return component.getAccessor().invoke(spec);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of a job spec", e);
        }
    }
}
