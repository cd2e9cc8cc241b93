"""In-process fakes of outside services (chat platform APIs) that tests run the real clients against."""
