"""The test suite, a package so that its helper modules import as ``tests.helpers`` etc."""
