"""Appeal pages (诉求页面): public submission and tracking for citizens, workbenches for staff."""
