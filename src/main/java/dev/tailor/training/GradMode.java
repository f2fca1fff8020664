package dev.tailor.training;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's grad mode is per thread and on by default; DJL switches it off only on the thread
 * that started the engine. Weight updates and checkpoint loads write into parameters in place,
 * which PyTorch refuses with grad mode on, so every thread that trains turns it off first
 * (a GradientCollector turns it on for its own span and restores it).
 */
final class GradMode {

    private GradMode() {}

    static void offForThisThread() {
        Engine.getInstance(); // loads the native library before the first native call
        JniUtils.setGradMode(false);
    }
}
