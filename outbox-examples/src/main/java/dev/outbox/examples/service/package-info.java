/**
 * A service that enlists its messages as an application's would, and whose test shows the test
 * kit's {@code RecordingOutbox} checking what it enlisted.
 */
package dev.outbox.examples.service;
