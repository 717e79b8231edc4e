import CV4L2
import ProctorVision
